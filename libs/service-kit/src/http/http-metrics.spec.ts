import type { IncomingMessage } from 'node:http';
import { requestLabels } from './http-metrics';

const req = (method: string, route?: string, baseUrl = '') =>
  ({ method, baseUrl, ...(route ? { route: { path: route } } : {}) }) as unknown as IncomingMessage;

describe('requestLabels', () => {
  it('uses the route template, never the path with ids', () => {
    expect(requestLabels(req('GET', '/reconciliations/:id/statements'), 200)).toEqual({
      method: 'GET',
      route: '/reconciliations/:id/statements',
      status_class: '2xx',
    });
  });

  it('labels an unrouted request (404, or refused by a guard before routing) as unmatched', () => {
    expect(requestLabels(req('POST'), 413)).toEqual({
      method: 'POST',
      route: '(unmatched)',
      status_class: '4xx',
    });
  });

  it('keeps method and status labels bounded', () => {
    expect(requestLabels(req('BREW', '/x'), 599)).toMatchObject({ method: 'OTHER', status_class: '5xx' });
    expect(requestLabels(req('GET', '/x'), 0)).toMatchObject({ status_class: 'other' });
  });

  it('prefixes a mounted router base', () => {
    expect(requestLabels(req('GET', '/:id', '/api'), 204).route).toBe('/api/:id');
  });
});

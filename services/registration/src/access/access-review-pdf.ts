import { newPdfDocument, pdfBytes } from '@divit/service-kit';
import type { AccessReviewReport } from './dto/access.dto';

/** The access review report as a PDF (users, roles, last login, last review; an overdue review stands out). */
export function renderAccessReviewPdf(report: AccessReviewReport): Promise<Buffer> {
  const doc = newPdfDocument(`Access review ${report.organisationName}`);

  doc.font('Helvetica-Bold').fontSize(16).text('DIV-it access review');
  doc.font('Helvetica').fontSize(10);
  doc.text(`Organisation: ${report.organisationName} (${report.organisationId})`);
  doc.text(`Generated at: ${report.generatedAt}`);
  doc.text(`Reviews are due at least every ${report.maxReviewAgeMonths} months.`);
  doc.moveDown();
  if (report.lastReview)
    doc.text(
      `Last review: ${report.lastReview.reviewedAt} by ${report.lastReview.reviewedBy} (${report.lastReview.usersReviewed} user(s))`,
    );
  else doc.text('Last review: none recorded');
  if (report.reviewDueBy) doc.text(`Next review due by: ${report.reviewDueBy}`);
  if (report.reviewOverdue)
    doc.font('Helvetica-Bold').fillColor('red').text('REVIEW OVERDUE').fillColor('black');
  doc.font('Helvetica');
  if (report.organisationAccess?.suspendedFrom)
    doc.text(
      `Organisation access: ${report.organisationAccess.reason} from ${report.organisationAccess.suspendedFrom}`,
    );
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text(`Named users (${report.users.length})`);
  doc.font('Helvetica').fontSize(10);
  if (report.users.length === 0) doc.text('No named users.');
  for (const u of report.users)
    doc.text(
      `${u.username} — ${u.roles.join(', ')} — ${u.status} — invited ${u.invitedAt} — last login ${u.lastLoginAt ?? 'never'}`,
    );
  return pdfBytes(doc);
}

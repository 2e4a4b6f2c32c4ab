import { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface PostgresConnection {
  host: string;
  port: number;
  database: string;
  username: string;
  password?: string;
}

export interface ServiceDataSourceInput extends PostgresConnection {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

/**
 * The one definition of a service's TypeORM options, shared by the app, the migration CLI and tests.
 * `synchronize` and `migrationsRun` are always false: migrations run as their own step.
 */
export function postgresOptions(input: ServiceDataSourceInput): DataSourceOptions {
  return {
    type: 'postgres',
    host: input.host,
    port: input.port,
    database: input.database,
    username: input.username,
    ...(input.password ? { password: input.password } : {}),
    entities: input.entities,
    migrations: input.migrations,
    migrationsTableName: 'schema_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: input.poolSize ?? 10, application_name: input.applicationName ?? 'divit' },
  };
}

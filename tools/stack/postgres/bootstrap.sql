-- One role and one database per service, owned by that role. Idempotent.
-- Run by tools/stack/stack.sh as the superuser with -v names='{divit_a,divit_b}'.
-- Local only: each role's password equals its name.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', n, n)
  FROM unnest(:'names'::text[]) AS n
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = n)
\gexec

SELECT format('CREATE DATABASE %I OWNER %I', n, n)
  FROM unnest(:'names'::text[]) AS n
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = n)
\gexec

SELECT format('ALTER DATABASE %I OWNER TO %I', d.datname, n)
  FROM unnest(:'names'::text[]) AS n
  JOIN pg_database d ON d.datname = n
 WHERE pg_get_userbyid(d.datdba) <> n
\gexec

export const sql = `
CREATE TABLE orgs (
  id text PRIMARY KEY,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  name text NOT NULL,
  org_id text REFERENCES orgs(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);

CREATE TABLE env_types (
  org_id text NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id text NOT NULL,
  display_name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);

CREATE TABLE projects (
  org_id text NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id text NOT NULL,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);

CREATE TABLE envs (
  org_id text NOT NULL,
  project_id text NOT NULL,
  id text NOT NULL,
  uuid uuid NOT NULL UNIQUE,
  env_type_id text NOT NULL,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, project_id, id),
  FOREIGN KEY (org_id, project_id) REFERENCES projects(org_id, id) ON DELETE RESTRICT,
  FOREIGN KEY (org_id, env_type_id) REFERENCES env_types(org_id, id) ON DELETE RESTRICT
);

CREATE TABLE runners (
  org_id text NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id text NOT NULL,
  description text,
  runner_type text NOT NULL,
  runner_configuration jsonb NOT NULL,
  state_storage_configuration jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);

CREATE TABLE runner_rules (
  org_id text NOT NULL,
  id uuid NOT NULL,
  runner_id text NOT NULL,
  project_id text,
  env_type_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, runner_id) REFERENCES runners(org_id, id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX runner_rules_scope ON runner_rules (org_id, coalesce(project_id, ''), coalesce(env_type_id, ''));
`;

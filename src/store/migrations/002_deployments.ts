export const sql = `
CREATE TABLE bundles (
  org_id text NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  digest text NOT NULL,
  size_bytes integer NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, digest)
);

CREATE TABLE deployments (
  id uuid PRIMARY KEY,
  queue_seq bigserial NOT NULL,
  org_id text NOT NULL,
  project_id text NOT NULL,
  env_id text NOT NULL,
  env_uuid uuid NOT NULL,
  runner_id text NOT NULL,
  runner_type text NOT NULL,
  runner_snapshot jsonb NOT NULL,
  mode text NOT NULL,
  bundle_digest text NOT NULL,
  inputs jsonb NOT NULL DEFAULT '{}'::jsonb,
  timeout_seconds integer NOT NULL,
  idempotency_key text,
  request_hash text,
  status text NOT NULL,
  error jsonb,
  outputs jsonb,
  changes jsonb,
  planned_changes jsonb,
  diagnostics jsonb,
  result_id text,
  cancel_requested_at timestamptz,
  cancel_note text,
  job_token_hash text,
  dispatch_nonce text,
  driver_handle jsonb,
  owner_replica text,
  lease_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  deadline_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, bundle_digest) REFERENCES bundles(org_id, digest)
);
CREATE UNIQUE INDEX deployments_idempotency ON deployments (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The database itself guarantees one executing deployment per environment, whichever replica dispatches.
CREATE UNIQUE INDEX deployments_one_active_per_env ON deployments (env_uuid) WHERE status IN ('dispatching', 'running');
CREATE INDEX deployments_queue ON deployments (status, queue_seq);
CREATE INDEX deployments_env ON deployments (org_id, project_id, env_id, queue_seq);
CREATE UNIQUE INDEX deployments_job_token ON deployments (job_token_hash) WHERE job_token_hash IS NOT NULL;

CREATE TABLE deployment_logs (
  deployment_id uuid NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  seq integer NOT NULL,
  ts timestamptz NOT NULL,
  stream text NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (deployment_id, seq)
);
`;

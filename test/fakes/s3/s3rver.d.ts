/** The slice of s3rver (a real S3-compatible test server, untyped upstream) that the S3 test server uses. */
declare module "s3rver" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  import type { Readable } from "node:stream";

  interface S3rverOptions {
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
  }

  interface StoredObject {
    content: Readable | null;
  }

  interface FilesystemStore {
    putBucket(name: string): Promise<void>;
    existsObject(bucket: string, key: string): Promise<boolean>;
    getObject(bucket: string, key: string): Promise<StoredObject | null>;
    listObjects(bucket: string, options: { prefix?: string }): Promise<{ objects: Array<{ key: string }> }>;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    readonly store: FilesystemStore;
    readonly logger: { close(): void; exceptions: { unhandle(): void } };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}

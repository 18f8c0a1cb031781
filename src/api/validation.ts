import type { FastifyInstance, FastifySchemaCompiler } from "fastify";
import type { z } from "zod";
import { validationErrorFrom } from "../config/validate.js";

const WHAT: Record<string, string> = { body: "request body", querystring: "query parameters", params: "path parameters", headers: "headers" };

/**
 * Zod validates every request part. Errors list every problem with its field path, in porch's
 * error shape, instead of Fastify's default message.
 */
export function installZodValidation(app: FastifyInstance): void {
  const compiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
    return (data: unknown) => {
      const result = schema.safeParse(data);
      if (result.success) return { value: result.data };
      return { error: validationErrorFrom(result.error, WHAT[httpPart ?? "body"] ?? "request") };
    };
  };
  app.setValidatorCompiler(compiler);
  // Responses are built by our own code from typed values; schemas on them exist for OpenAPI.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

import type { FastifyError, FastifyInstance } from "fastify";
import { PorchError, type FieldProblem } from "../errors/porch-error.js";

export interface ErrorBody {
  error: string;
  message: string;
  details?: FieldProblem[];
}

export function errorBody(err: PorchError): ErrorBody {
  return { error: err.code, message: err.message, ...(err.details.length > 0 ? { details: err.details } : {}) };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | PorchError, req, reply) => {
    if (err instanceof PorchError) {
      if (err.category === "internal") req.log.error({ err }, "internal error");
      return reply.status(err.status).send(errorBody(err));
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      req.log.error({ err }, "unhandled error");
      return reply.status(500).send({ error: "internal", message: "internal server error; see the server log" });
    }
    return reply.status(status).send({ error: (err.code ?? "bad_request").toLowerCase(), message: err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: "not_found", message: `no route ${req.method} ${req.url.split("?")[0]}` });
  });
}

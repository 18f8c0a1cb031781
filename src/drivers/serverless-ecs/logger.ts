/** The slice of a pino logger the driver uses; every method is optional so `{}` silences it. */
export interface DriverLogger {
  debug?(obj: object, msg?: string): void;
  info?(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
}

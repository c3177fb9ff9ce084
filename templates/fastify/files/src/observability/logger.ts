// JSON logs on stdout (contract section 10): `ts`, `level` as a word, `msg`; credentials redacted
// wherever a serializer might put them.
import { pino, type Logger } from "pino";

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: null,
    messageKey: "msg",
    timestamp: () => `,"ts":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'req.headers["webhook-signature"]',
        "headers.authorization",
        "headers.cookie",
        "*.secret",
        "*.password",
      ],
      censor: "[redacted]",
    },
  });
}

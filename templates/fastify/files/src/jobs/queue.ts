// The PostgreSQL job queue shared by every stack (the `jobs` table): claimed with SKIP LOCKED,
// leased for JOB_TIMEOUT_MS, retried with exponential backoff and full jitter, dead after
// JOB_MAX_ATTEMPTS. An expired lease is claimed again, so a crashed worker loses nothing.
import type { Database } from "../db/database.js";

export type JobKind = "deliver_event" | "process_webhook" | "cleanup";

export interface Job {
  readonly id: string;
  readonly kind: JobKind;
  readonly payload: Record<string, unknown>;
  readonly attempts: number;
  readonly max_attempts: number;
  readonly traceparent: string | null;
}

const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60 * 60 * 1000;

/** Full jitter: uniformly random up to the exponential ceiling, so retries do not stampede. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

export class JobQueue {
  constructor(
    private readonly db: Database,
    private readonly leaseMs: number,
  ) {}

  async claim(kinds: readonly JobKind[]): Promise<Job | undefined> {
    const result = await this.db.query<Job>(
      `update jobs
       set status = 'running', attempts = attempts + 1, locked_until = now() + make_interval(secs => $1), updated_at = now()
       where id = (
         select id from jobs
         where kind = any($2::text[])
           and ((status = 'queued' and run_at <= now()) or (status = 'running' and locked_until < now()))
         order by run_at
         for update skip locked
         limit 1
       )
       returning id, kind, payload, attempts, max_attempts, traceparent`,
      [this.leaseMs / 1000, kinds],
    );
    return result.rows[0];
  }

  async succeed(job: Job): Promise<void> {
    await this.db.query(`update jobs set status = 'done', locked_until = null, last_error = null, updated_at = now() where id = $1`, [job.id]);
  }

  async fail(job: Job, error: string): Promise<"retry" | "dead"> {
    if (job.attempts >= job.max_attempts) {
      await this.db.query(`update jobs set status = 'dead', locked_until = null, last_error = $2, updated_at = now() where id = $1`, [
        job.id,
        error,
      ]);
      return "dead";
    }
    await this.db.query(
      `update jobs
       set status = 'queued', locked_until = null, last_error = $2, run_at = now() + make_interval(secs => $3), updated_at = now()
       where id = $1`,
      [job.id, error, backoffMs(job.attempts) / 1000],
    );
    return "retry";
  }

  /** Hands a job back at shutdown without counting the interrupted attempt. */
  async release(job: Job): Promise<void> {
    await this.db.query(
      `update jobs set status = 'queued', locked_until = null, attempts = greatest(attempts - 1, 0), updated_at = now()
       where id = $1 and status = 'running'`,
      [job.id],
    );
  }

  /** Every replica schedules cleanup; the partial unique index keeps one pending at a time. */
  async scheduleCleanup(id: string, maxAttempts: number): Promise<void> {
    await this.db.query(`insert into jobs (id, kind, payload, max_attempts) values ($1, 'cleanup', '{}', $2) on conflict do nothing`, [
      id,
      maxAttempts,
    ]);
  }
}

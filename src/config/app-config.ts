import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { validateCronExpression } from 'cron';
import { isIP } from 'node:net';

/** The development secret earlier versions shipped: public, so never accepted. */
export const PUBLISHED_JWT_SECRET = 'hpa-dev-secret-change-me';

/** Whether a listen address only answers this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** One TRUST_PROXY entry: `loopback`, or an IP address or subnet (CIDR) of a proxy you run. */
function isTrustEntry(entry: string): boolean {
  if (entry === 'loopback') {
    return true;
  }
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY as Express's "trust proxy" takes it: false for `none`, otherwise the list. Named
 * ranges (uniquelocal, linklocal), `true` and hop counts are refused by loadConfig: they would
 * believe an X-Forwarded-For that any machine of the network wrote.
 */
export function trustProxySetting(value: string): false | string[] {
  return value === 'none' ? false : value.split(',').map((entry) => entry.trim());
}

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

const isValidTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/**
 * Every setting of the service, validated once at start (SPEC §4).
 * Nothing else in the code reads process.env.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * The address to listen on. Default: this machine only. Another address (0.0.0.0, a LAN
   * address) needs a configured JWT_SECRET and no demo account with the published password.
   */
  @Matches(/^[\w.:[\]-]+$/, { message: 'HOST must be an IP address or a host name (e.g. 0.0.0.0)' })
  HOST = '127.0.0.1';

  @IsIn(['sqlite', 'mysql'])
  DB_TYPE: 'sqlite' | 'mysql' = 'sqlite';

  @IsString()
  DB_PATH = 'data/hpa.sqlite';

  @IsString()
  DB_HOST = '127.0.0.1';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  DB_PORT = 3306;

  @IsString()
  DB_USER = 'root';

  @IsString()
  DB_PASSWORD = '';

  @Matches(/^[A-Za-z0-9_]+$/, { message: 'DB_NAME may contain only letters, digits and _' })
  DB_NAME = 'hpa';

  /**
   * MySQL read replicas for read-heavy routes, `host[:port]` separated by commas; same user,
   * password and database as the primary.
   */
  @IsOptional()
  @Matches(/^[\w.-]+(:\d+)?(,[\w.-]+(:\d+)?)*$/, { message: 'DB_READ_HOSTS must be host[:port] separated by commas' })
  DB_READ_HOSTS?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must look like redis://host:port' })
  REDIS_URL?: string;

  /** The prefix of the queues' keys in Redis: deployments (or test runs) sharing one Redis keep apart. */
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'QUEUE_PREFIX may contain only letters, digits, _ . and -' })
  QUEUE_PREFIX = 'hpa';

  /**
   * How long a worker's hold on a running job lasts unless renewed (Bull's lockDuration; stalled
   * jobs are looked for as often): a job whose worker died is taken over by another after this.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  JOB_LOCK_SECONDS = 30;

  /**
   * The token signing secret. Unset: a random one generated once for the data directory
   * (config/jwt-secret.ts), which serves this machine only; required in production and on a
   * non-loopback HOST.
   */
  @ValidateIf((c: AppConfig) => c.JWT_SECRET !== '')
  @IsString()
  @MinLength(16)
  JWT_SECRET = '';

  /** Set at start when JWT_SECRET was not configured and the data directory's generated one is used. */
  jwtSecretGenerated = false;

  @Matches(/^\d+[smhd]$/, { message: 'JWT_TTL must be a number followed by s, m, h or d (e.g. 8h)' })
  JWT_TTL = '8h';

  @IsOptional()
  @IsString()
  @MinLength(10)
  ADMIN_PASSWORD?: string;

  @IsString()
  APP_TIMEZONE = 'Asia/Shanghai';

  @IsOptional()
  @IsIn(['0', '1'])
  DEMO_DATA?: '0' | '1';

  @IsIn(['api', 'worker', 'all'])
  APP_ROLE: 'api' | 'worker' | 'all' = 'all';

  @IsString()
  ESCALATION_CRON = '0 1 * * *';

  /** The daily 因病返贫致贫 risk run of the current year (SPEC §6.6), in APP_TIMEZONE. */
  @IsString()
  RISK_CRON = '30 1 * * *';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(4096)
  UPLOAD_MAX_MB = 200;

  /**
   * Seconds a request may send nothing while its body is still due before the connection is
   * dropped (a stalled upload, a slow-loris). A slow sender that keeps sending is never cut off,
   * however long its upload takes: there is no cap on a request's total time. The headers must
   * arrive within HTTP_HEADERS_SECONDS.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_IDLE_SECONDS = 60;

  /** Seconds a client has to send a request's headers (Node's headersTimeout). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  HTTP_HEADERS_SECONDS = 60;

  /**
   * Where uploaded files wait for their job, and where evidence (佐证材料) is kept for good under
   * evidence/: a volume shared by the API replicas and the workers when they run apart.
   */
  @IsString()
  UPLOAD_DIR = 'data/uploads';

  /** The largest evidence file (佐证材料: a photo or a PDF) an item accepts: 413 beyond. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  EVIDENCE_MAX_MB = 10;

  @IsOptional()
  @IsIn(['json', 'text'])
  LOG_FORMAT?: 'json' | 'text';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /**
   * Which proxies' X-Forwarded-For to believe (Express "trust proxy"): the client address drives
   * login throttling and the audit logs, so only proxies you run may set it, named by address.
   * `loopback` (default: a proxy on the same host), IP addresses or subnets separated by commas,
   * or `none`.
   */
  @Matches(/^(none|[^,]+(,[^,]+)*)$/, { message: 'TRUST_PROXY must be none, loopback or proxy addresses' })
  TRUST_PROXY = 'loopback';

  /**
   * Login attempts one client address may make per minute, before any password is compared
   * (429 beyond). Raise it for an office whose users all come through one address.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  LOGIN_ATTEMPTS_PER_MINUTE = 30;

  get demoData(): boolean {
    return (this.DEMO_DATA ?? (this.NODE_ENV === 'production' ? '0' : '1')) === '1';
  }

  get logFormat(): 'json' | 'text' {
    return this.LOG_FORMAT ?? (this.NODE_ENV === 'production' ? 'json' : 'text');
  }
}

export class ConfigError extends Error {}

/** Builds the configuration from an environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const known = Object.keys(new AppConfig()).filter((key) => /^[A-Z][A-Z0-9_]*$/.test(key));
  const given: Record<string, string> = {};
  for (const key of [...known, 'REDIS_URL', 'ADMIN_PASSWORD', 'DEMO_DATA', 'LOG_FORMAT', 'DB_READ_HOSTS']) {
    const value = env[key];
    if (value !== undefined && value !== '') {
      given[key] = value;
    }
  }
  const config = plainToInstance(AppConfig, given);
  const problems = validateSync(config, { skipMissingProperties: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`),
  );
  if (!validateCronExpression(config.ESCALATION_CRON).valid) {
    problems.push(`ESCALATION_CRON: "${config.ESCALATION_CRON}" is not a cron expression (e.g. 0 1 * * *)`);
  }
  if (!validateCronExpression(config.RISK_CRON).valid) {
    problems.push(`RISK_CRON: "${config.RISK_CRON}" is not a cron expression (e.g. 30 1 * * *)`);
  }
  if (!isValidTimeZone(config.APP_TIMEZONE)) {
    problems.push(`APP_TIMEZONE: unknown time zone "${config.APP_TIMEZONE}"`);
  }
  if (config.TRUST_PROXY !== 'none' && !config.TRUST_PROXY.split(',').every((e) => isTrustEntry(e.trim()))) {
    problems.push(
      `TRUST_PROXY: "${config.TRUST_PROXY}" must be none, loopback, or the addresses (or subnets) of the proxies you run`,
    );
  }
  if (config.JWT_SECRET === PUBLISHED_JWT_SECRET) {
    problems.push('JWT_SECRET: this value was published with the source code; set a secret of your own');
  }
  if (config.JWT_SECRET === '' && !isLoopbackHost(config.HOST)) {
    problems.push(`JWT_SECRET: must be set when HOST (${config.HOST}) is not a loopback address`);
  }
  if (config.NODE_ENV === 'production') {
    if (config.JWT_SECRET === '') {
      problems.push('JWT_SECRET: must be set to a secret of your own when NODE_ENV=production');
    }
    if (!config.ADMIN_PASSWORD) {
      problems.push('ADMIN_PASSWORD: must be set when NODE_ENV=production');
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}

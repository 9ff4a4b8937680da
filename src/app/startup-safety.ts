import { Injectable, Logger } from '@nestjs/common';
import { UsersService } from '../auth/users.service.js';
import { AppConfig, ConfigError, isLoopbackHost } from '../config/app-config.js';
import { secretFileOf } from '../config/jwt-secret.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo/demo-loader.service.js';

/**
 * The last look before the API listens: what would let a stranger in. Demo accounts that still
 * take the published password are announced loudly at every start; on an address other machines
 * reach (HOST not loopback), they — or a token secret nobody configured — stop the start.
 */
@Injectable()
export class StartupSafety {
  private readonly logger = new Logger('Security');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  /** Throws a ConfigError naming what to change when serving on HOST would be unsafe. */
  async checkBeforeListening(): Promise<void> {
    const demo = await this.users.acceptingPassword(
      DEMO_USERS.map((u) => u.username),
      DEMO_PASSWORD,
    );
    const problems: string[] = [];
    if (demo.length > 0) {
      const warning = `DEMO ACCOUNTS ARE OPEN: ${demo.join(', ')} accept the published password ${DEMO_PASSWORD}; anyone who reaches this server can sign in with them. Use them only to try the system on this machine; for real use start on an empty database with DEMO_DATA=0 (or disable them: PATCH /api/users/:id {"active": false}).`;
      this.logger.warn(`${'!'.repeat(20)} ${warning} ${'!'.repeat(20)}`);
      problems.push(`DEMO_DATA: demo accounts with the published password are active (${demo.join(', ')})`);
    }
    if (this.config.jwtSecretGenerated) {
      this.logger.warn(
        `JWT_SECRET is not set: tokens are signed with the secret generated for this data directory (${secretFileOf(this.config) ?? 'in memory'}), for this machine only`,
      );
      problems.push('JWT_SECRET: not set (a generated secret serves this machine only)');
    }
    if (problems.length > 0 && !isLoopbackHost(this.config.HOST)) {
      throw new ConfigError(
        `Refusing to serve on HOST=${this.config.HOST}, an address other machines reach:\n  ${problems.join('\n  ')}\nListen on 127.0.0.1 (the default) to try the system, or fix the above.`,
      );
    }
  }
}

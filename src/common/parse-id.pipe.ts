import { BadRequestException, type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';

/** The largest id (and year) a path may name: the INT columns' upper bound. */
const MAX_ID = 2_147_483_647;

/**
 * A path parameter that is a record's id (or a year): decimal digits only, 1 to 2^31 − 1. Anything
 * else — `1e20`, `-0`, `0x10`, `９`, 2^53 + 1 — is a 400 naming the parameter, before any look-up.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
    if (!(id <= MAX_ID)) {
      throw new BadRequestException(`${metadata.data ?? 'id'}: 须为 1 至 ${MAX_ID} 的整数`);
    }
    return id;
  }
}

import { IsBoolean } from 'class-validator';

/** An admin disables (or enables again) an account; disabling ends its tokens at once. */
export class UpdateUserDto {
  @IsBoolean({ message: 'active: 须为 true 或 false' })
  active!: boolean;
}

import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { ConditionsService } from './conditions.service.js';
import { isSensitive } from './diagnosis-access.js';
import { ContractRenewalService } from './contract-renewal.service.js';
import { ContractsService } from './contracts.service.js';
import {
  CreateConditionDto,
  CreateContractDto,
  ListContractsQuery,
  RenewContractDto,
  PutInsuranceDto,
  UpdateConditionDto,
} from './dto/health.dto.js';
import { InsuranceService } from './insurance.service.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('health')
@ApiBearerAuth()
@Controller('api')
export class HealthRecordsController {
  constructor(
    private readonly conditions: ConditionsService,
    private readonly insurance: InsuranceService,
  ) {}

  /** 病种目录: not personal, readable by every role; `sensitive`: shown as 敏感病种 to roles that do not treat it. */
  @Get('diseases')
  async diseases() {
    return { items: (await this.conditions.diseases()).map((d) => ({ ...d, sensitive: isSensitive(d.code) })) };
  }

  @Get('persons/:id/conditions')
  @Require(Permission.HealthRead)
  async listConditions(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return { items: await this.conditions.list(user, id) };
  }

  @Post('persons/:id/conditions')
  @Require(Permission.HealthWrite)
  addCondition(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CreateConditionDto) {
    return this.conditions.add(user, id, dto);
  }

  @Patch('conditions/:id')
  @Require(Permission.HealthWrite)
  updateCondition(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateConditionDto,
  ) {
    return this.conditions.update(user, id, dto);
  }

  @Put('persons/:id/insurance/:year')
  @Require(Permission.InsuranceWrite)
  putInsurance(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('year', ParseIdPipe) year: number,
    @Body() dto: PutInsuranceDto,
  ) {
    return this.insurance.put(user, id, year, dto);
  }
}

@ApiTags('health')
@ApiBearerAuth()
@Controller('api/contracts')
export class ContractsController {
  constructor(
    private readonly contracts: ContractsService,
    private readonly renewal: ContractRenewalService,
  ) {}

  @Get()
  @Require(Permission.HealthRead)
  list(@CurrentUser() user: AuthUser, @Query() query: ListContractsQuery) {
    return this.contracts.list(user, query);
  }

  @Post()
  @Require(Permission.HealthWrite)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateContractDto) {
    return this.contracts.create(user, dto);
  }

  /** 续签: the old contract ends, the new one continues its institution, doctor and diseases. */
  @Post(':id/renew')
  @Require(Permission.HealthWrite)
  renew(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: RenewContractDto) {
    return this.renewal.renew(user, id, dto);
  }

  @Get(':id')
  @Require(Permission.HealthRead)
  get(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return this.contracts.get(user, id);
  }
}

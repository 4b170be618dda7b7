import { Module } from '@nestjs/common';

import { KpiRepository } from './kpi.repository';
import { KpisController } from './kpis.controller';

@Module({ controllers: [KpisController], providers: [KpiRepository] })
export class KpisModule {}

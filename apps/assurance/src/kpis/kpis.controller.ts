import { Roles } from '@closeloop/auth';
import { isoDateTime } from '@closeloop/runtime';
import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { KpiRepository } from './kpi.repository';

const WindowSchema = z
  .object({ from: isoDateTime().optional(), to: isoDateTime().optional() })
  .strict()
  .refine((w) => !w.from || !w.to || Date.parse(w.from) < Date.parse(w.to), { message: 'from must be before to', path: ['from'] });

/** `GET /kpis?from=…&to=…`: fulfilment KPIs per journey type, for journeys started in the window. */
@Controller('kpis')
@Roles('operator', 'auditor', 'admin')
export class KpisController {
  constructor(private readonly kpis: KpiRepository) {}

  @Get()
  async get(@Query() query: Record<string, unknown>) {
    const window = WindowSchema.safeParse(query);
    if (!window.success) {
      throw new BadRequestException(window.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
    }
    const from = window.data.from ? new Date(window.data.from) : null;
    const to = window.data.to ? new Date(window.data.to) : null;
    return { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, byJourneyType: await this.kpis.byJourneyType(from, to) };
  }
}

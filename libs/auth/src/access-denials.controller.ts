import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { AccessDenialLog } from './access-denial.log';
import { Roles } from './principal.decorators';

const QuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.string().regex(/^\d{1,18}$/, 'an entry id').optional(),
    principal: z.string().min(1).max(300).optional(),
    reason: z.string().regex(/^[A-Z_]{1,40}$/, 'a reason code such as MISSING_ROLE').optional(),
  })
  .strict();

/** The audit of the service's refused calls, newest first: `?limit=&before=<id>&principal=&reason=`. */
@Controller('access-denials')
@Roles('auditor', 'admin')
export class AccessDenialsController {
  constructor(private readonly denials: AccessDenialLog) {}

  @Get()
  async list(@Query() raw: unknown) {
    const parsed = QuerySchema.safeParse(raw);
    if (!parsed.success) throw new BadRequestException(parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; '));
    const { limit, before, principal, reason } = parsed.data;
    const items = await this.denials.find({ limit, before, principalId: principal, reason });
    // The next page: pass it as ?before= (absent on the last page).
    return { items, nextBefore: items.length === limit ? items[items.length - 1]?.id : undefined };
  }
}

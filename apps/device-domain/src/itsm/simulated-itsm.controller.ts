import { Roles } from '@closeloop/auth';
import { ZodParamsPipe } from '@closeloop/runtime';
import { Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';

const RecordParams = z.object({ recordId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'an ITSM record id: 1 to 64 letters, digits, dots, dashes or underscores') }).strict();
type RecordParams = z.infer<typeof RecordParams>;

interface RecordRow {
  record_id: string;
  state: string;
  assigned_asset_tag: string | null;
  retired_asset_tag: string | null;
}

const view = (row: RecordRow) => ({ recordId: row.record_id, state: row.state, assignedAssetTag: row.assigned_asset_tag, retiredAssetTag: row.retired_asset_tag });

/**
 * The simulated ITSM system's own door, for tests and the demo: the service desk raises a record
 * (`PUT`: opened unless it exists; an existing record is left as it is) and anyone with the admin
 * role reads one back. Admins only, and only where the simulator runs (never in production).
 */
@Controller('simulator/itsm/records')
@Roles('admin')
export class SimulatedItsmController {
  constructor(private readonly dataSource: DataSource) {}

  @Put(':recordId')
  async open(@Param(new ZodParamsPipe(RecordParams)) { recordId }: RecordParams) {
    await this.dataSource.query(`INSERT INTO device.sim_itsm_records (record_id, state) VALUES ($1, 'open') ON CONFLICT (record_id) DO NOTHING`, [recordId]);
    return this.read({ recordId });
  }

  @Get(':recordId')
  async read(@Param(new ZodParamsPipe(RecordParams)) { recordId }: RecordParams) {
    const [row]: RecordRow[] = await this.dataSource.query('SELECT record_id, state, assigned_asset_tag, retired_asset_tag FROM device.sim_itsm_records WHERE record_id = $1', [recordId]);
    if (!row) throw new NotFoundException(`the ITSM system has no record ${recordId}`);
    return view(row);
  }
}

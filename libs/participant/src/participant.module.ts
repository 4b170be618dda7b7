import { Inbox, Outbox } from '@closeloop/messaging';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { ParticipantPorts } from './ports';

/** Provides `ParticipantPorts` from the runtime's database, inbox, outbox, clock and ids (RuntimeModule). */
@Module({
  providers: [
    {
      provide: ParticipantPorts,
      inject: [DataSource, Inbox, Outbox, CLOCK, ID_GENERATOR],
      useFactory: (transactions: DataSource, inbox: Inbox, outbox: Outbox, clock: Clock, ids: IdGenerator): ParticipantPorts => ({ transactions, inbox, outbox, clock, ids }),
    },
  ],
  exports: [ParticipantPorts],
})
export class ParticipantModule {}

import { describeDomainUnderAttack } from './support/domain-under-attack';

/** device-domain in-process: its routes (its ITSM simulator's door too), its simulator's fault switch, hostile input, poison on every topic it consumes. */
describeDomainUnderAttack('device-domain', {
  samples: {
    'PUT /simulator/itsm/records/:recordId': { params: { recordId: ['RITM-SECURITY-1'] } },
    'GET /simulator/itsm/records/:recordId': { params: { recordId: ['RITM-SECURITY-1'] } },
  },
});

import { describeDomainUnderAttack } from './support/domain-under-attack';

/** identity-domain in-process: its routes, its simulator's fault switch, hostile input, poison on every topic it consumes. */
describeDomainUnderAttack('identity-domain');

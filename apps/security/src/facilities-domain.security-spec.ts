import { describeDomainUnderAttack } from './support/domain-under-attack';

/** facilities-domain in-process: its routes, its simulator's fault switch, hostile input, poison on every topic it consumes. */
describeDomainUnderAttack('facilities-domain');

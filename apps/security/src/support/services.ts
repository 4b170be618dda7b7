/* eslint-disable @nx/enforce-module-boundaries -- the security stage builds each service in-process from its AppModule and
   config schema, as the service's own integration tests do; this file is the one place where it reaches into the apps. */
import type { AddressInfo } from 'node:net';

import { parseConfig } from '@closeloop/config';
import { KafkaBatchServer } from '@closeloop/messaging';
import { configureLogging } from '@closeloop/observability';
import { createServiceApp } from '@closeloop/runtime';
import { eventually, testEnv, type TestIdentityProvider } from '@closeloop/testing';
import type { DynamicModule, ForwardReference, INestApplication, Type } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';

import { AppModule as AssuranceModule } from '../../../assurance/src/app.module';
import { AssuranceConfigSchema } from '../../../assurance/src/config/assurance.config';
import { AppModule as DeviceModule } from '../../../device-domain/src/app.module';
import { DeviceConfigSchema } from '../../../device-domain/src/config/device.config';
import { AppModule as FacilitiesModule } from '../../../facilities-domain/src/app.module';
import { FacilitiesConfigSchema } from '../../../facilities-domain/src/config/facilities.config';
import { AppModule as IdentityModule } from '../../../identity-domain/src/app.module';
import { IdentityConfigSchema } from '../../../identity-domain/src/config/identity.config';
import { AppModule as IntakeModule } from '../../../intake/src/app.module';
import { IntakeConfigSchema } from '../../../intake/src/config/intake.config';
import { AppModule as SaasModule } from '../../../saas-domain/src/app.module';
import { SaasConfigSchema } from '../../../saas-domain/src/config/saas.config';
import { SECURITY_DATABASE_URL } from './security-database';

/** A service of deploy/services.json. */
export type ServiceName = string;

/**
 * Each service's AppModule, built from its config schema. One entry per service of
 * deploy/services.json, by the same names: tools/validate-deploy.sh checks that they agree.
 */
const MODULES: Readonly<Record<ServiceName, (env: Record<string, string>) => DynamicModule>> = {
  intake: (env) => IntakeModule.register(parseConfig(IntakeConfigSchema, env)),
  'identity-domain': (env) => IdentityModule.register(parseConfig(IdentityConfigSchema, env)),
  'saas-domain': (env) => SaasModule.register(parseConfig(SaasConfigSchema, env)),
  'device-domain': (env) => DeviceModule.register(parseConfig(DeviceConfigSchema, env)),
  assurance: (env) => AssuranceModule.register(parseConfig(AssuranceConfigSchema, env)),
  'facilities-domain': (env) => FacilitiesModule.register(parseConfig(FacilitiesConfigSchema, env)),
};

const moduleOf = (name: ServiceName, env: Record<string, string>): DynamicModule => {
  const build = MODULES[name];
  if (!build) throw new Error(`${name}: no AppModule in MODULES of apps/security/src/support/services.ts (services there: ${Object.keys(MODULES).join(', ')})`);
  return build(env);
};

export interface ServiceUnderTest {
  readonly name: ServiceName;
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Its consumer group (`closeloop.<service>`) and the topics it subscribes to. */
  readonly groupId: string;
  readonly topics: readonly string[];
  close(): Promise<void>;
}

type ModuleRef = DynamicModule | Type | Promise<DynamicModule> | ForwardReference;

/**
 * The topics a service's `@EventPattern` handlers subscribe to, read from its module tree
 * without starting it: every controller of every module it imports, every pattern of each.
 */
export const declaredSubscriptions = (name: ServiceName, env: Record<string, string>): string[] => {
  const seen = new Set<unknown>();
  const topics = new Set<string>();
  const visit = (ref: ModuleRef | undefined): void => {
    if (!ref || ref instanceof Promise || seen.has(ref)) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit(ref.forwardRef() as ModuleRef);
    const dynamic = 'module' in ref ? ref : undefined;
    const type = dynamic ? dynamic.module : (ref as Type);
    const controllers: Type[] = [...(Reflect.getMetadata('controllers', type) ?? []), ...(dynamic?.controllers ?? [])];
    for (const controller of controllers) {
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        const method = Object.getOwnPropertyDescriptor(controller.prototype, key)?.value;
        const patterns: unknown[] | undefined = typeof method === 'function' ? Reflect.getMetadata(PATTERN_METADATA, method) : undefined;
        for (const pattern of patterns ?? []) if (typeof pattern === 'string') topics.add(pattern);
      }
    }
    for (const imported of [...(Reflect.getMetadata('imports', type) ?? []), ...(dynamic?.imports ?? [])]) visit(imported as ModuleRef);
  };
  visit(moduleOf(name, env));
  return [...topics].sort();
};

/** The settings every service gets here: the test broker, the security database, the test identity provider, quiet logs. */
export const serviceEnv = (idp: TestIdentityProvider, extra: Record<string, string> = {}): Record<string, string> => ({
  ...testEnv(),
  DATABASE_URL: SECURITY_DATABASE_URL,
  ...idp.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'error',
  ...extra,
});

/**
 * Builds the service in-process exactly as `main.ts` does (createServiceApp: migrations, topics,
 * outbox relay, consumers under the real group name), listens on a free port of 127.0.0.1 and
 * waits until `/health/ready` answers 200. Only errors are logged (a 5xx is one, with its stack).
 */
export const startService = async (name: ServiceName, idp: TestIdentityProvider, extra: Record<string, string> = {}): Promise<ServiceUnderTest> => {
  configureLogging(`security-${name}`, 'error');
  const app = await createServiceApp(moduleOf(name, serviceEnv(idp, extra)));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    const response = await fetch(`${url}/health/ready`);
    if (response.status !== 200) throw new Error(`${name} is not ready: ${response.status} ${await response.text()}`);
  }, 60000, 200);
  const server = app.get(KafkaBatchServer);
  return { name, app, url, groupId: server.groupId, topics: server.subscribedTopics(), close: () => app.close() };
};

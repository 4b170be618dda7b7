import { z } from 'zod';

import { commonConfigShape, portSetting } from './common.config';
import { ConfigError, parseConfig } from './load-config';

const schema = z.object({ ...commonConfigShape, PORT: portSetting(3000) });

describe('parseConfig', () => {
  it('applies local-safe defaults', () => {
    const config = parseConfig(schema, { NODE_ENV: 'development' });
    expect(config.PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/closeloop');
    expect(config.HOST).toBe('127.0.0.1');
  });

  it('has no default NODE_ENV: an image that forgot it does not start as development', () => {
    expect(() => parseConfig(schema, {})).toThrow('NODE_ENV: set NODE_ENV to production, development or test (missing)');
  });

  it('splits a broker list', () => {
    expect(parseConfig(schema, { NODE_ENV: 'development', KAFKA_BROKERS: 'a:9092, b:9093' }).KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
  });

  it('names every bad key at once and hides secret values', () => {
    let caught: unknown;
    try {
      parseConfig(schema, { NODE_ENV: 'test', PORT: 'abc', KAFKA_BROKERS: 'nohost', DATABASE_URL: 'mysql://u:secretpw@h/db' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('DATABASE_URL: must be a postgres:// URL (value hidden)');
    expect(message).not.toContain('secretpw');
    expect((caught as ConfigError).problems).toHaveLength(3);
  });
});

import { chunkByBytes, messageBytes, undeliverableType } from './message-size';

describe('messageBytes', () => {
  it('counts key, value and headers in bytes (not characters), plus framing', () => {
    const bare = messageBytes({ key: null, value: null });
    expect(messageBytes({ key: 'k', value: 'é' })).toBe(bare + 1 + 2);
    expect(messageBytes({ key: null, value: Buffer.alloc(1000), headers: { name: 'value', list: ['a', Buffer.from('bc')] } })).toBeGreaterThan(bare + 1000 + 4 + 5 + 2 * 4 + 3);
  });
});

describe('chunkByBytes', () => {
  it('splits in order into runs under the limit; an item over the limit is a run of its own', () => {
    const sizes = [400, 400, 400, 1500, 100, 100];
    const chunks = chunkByBytes(sizes.map((size, index) => ({ index, size })), (item) => item.size, 900);
    expect(chunks.map((chunk) => chunk.map((item) => item.index))).toEqual([[0, 1], [2], [3], [4, 5]]);
    expect(chunkByBytes([], () => 1, 10)).toEqual([]);
  });
});

describe('undeliverableType', () => {
  it("recognises Kafka's refusals for good, also wrapped, and nothing else", () => {
    expect(undeliverableType(Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' }))).toBe('MESSAGE_TOO_LARGE');
    expect(undeliverableType(new Error('retries exceeded', { cause: Object.assign(new Error('bad'), { type: 'INVALID_RECORD' }) }))).toBe('INVALID_RECORD');
    expect(undeliverableType(Object.assign(new Error('leader'), { type: 'NOT_LEADER_FOR_PARTITION' }))).toBeUndefined();
    expect(undeliverableType(new Error('Connection error'))).toBeUndefined();
  });
});

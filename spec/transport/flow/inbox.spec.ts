import { describe, expect, it } from 'vitest';
import { ReceiveTimeoutError, TransportStoppedError } from '../../../src/transport/index.js';
import { Inbox } from '../../../src/transport/flow/inbox.js';
import { testScheduler } from '../../support/marbles.js';

describe('Inbox', () => {
  it('hands over what arrived between two reads, oldest first', async () => {
    const inbox = new Inbox<string>(10, () => undefined);
    inbox.push('a');
    inbox.push('b');
    expect(inbox.length).toBe(2);
    await expect(inbox.take()).resolves.toBe('a');
    await expect(inbox.take()).resolves.toBe('b');
    expect(inbox.length).toBe(0);
  });

  it('gives a waiting reader the next item directly, without buffering it', async () => {
    const inbox = new Inbox<string>(10, () => undefined);
    const first = inbox.take();
    const second = inbox.take();
    inbox.push('a');
    inbox.push('b');
    expect(inbox.length).toBe(0);
    await expect(Promise.all([first, second])).resolves.toEqual(['a', 'b']);
  });

  it('keeps at most `capacity` items, dropping the oldest', async () => {
    const dropped: string[] = [];
    const inbox = new Inbox<string>(2, (item) => dropped.push(item));
    for (const item of ['a', 'b', 'c', 'd']) inbox.push(item);
    expect(inbox.length).toBe(2);
    await expect(inbox.take()).resolves.toBe('c');
    await expect(inbox.take()).resolves.toBe('d');
  });

  it('reports overflow once per episode: once until the next read, then again', async () => {
    const reports: string[] = [];
    const inbox = new Inbox<string>(2, (item) => reports.push(item));
    for (const item of ['a', 'b', 'c', 'd', 'e']) inbox.push(item);
    expect(reports).toEqual(['a']);
    await inbox.take();
    inbox.push('f');
    expect(reports).toEqual(['a']); // room was made by the read: no overflow
    inbox.push('g');
    expect(reports).toEqual(['a', 'e']);
  });

  it('keeps nothing with capacity 0, but still serves a waiting reader', async () => {
    const reports: string[] = [];
    const inbox = new Inbox<string>(0, (item) => reports.push(item));
    inbox.push('lost');
    expect(inbox.length).toBe(0);
    const waiting = inbox.take();
    inbox.push('kept');
    await expect(waiting).resolves.toBe('kept');
  });

  it('rejects a read with ReceiveTimeoutError once its timeout passes, in virtual time', async () => {
    const scheduler = testScheduler();
    const inbox = new Inbox<string>(10, () => undefined, scheduler);
    let early: Promise<string> | undefined;
    let late: Promise<string> | undefined;
    scheduler.run(({ cold }) => {
      early = inbox.take(100);
      late = inbox.take(100);
      // The first item comes in time for the first reader; the second comes after the second reader gave up.
      cold('99ms a 1ms b').subscribe((item) => inbox.push(item));
    });
    await expect(early).resolves.toBe('a');
    await expect(late).rejects.toThrow(ReceiveTimeoutError);
    await expect(late).rejects.toThrow('No message arrived within 100 ms');
    // The reader that gave up is gone: the late item waits for the next read instead of vanishing.
    expect(inbox.length).toBe(1);
    await expect(inbox.take()).resolves.toBe('b');
  });

  it('waits without limit when no timeout is given', async () => {
    const scheduler = testScheduler();
    const inbox = new Inbox<string>(10, () => undefined, scheduler);
    let read: Promise<string> | undefined;
    scheduler.run(({ cold }) => {
      read = inbox.take();
      cold('1000000ms a').subscribe((item) => inbox.push(item));
    });
    await expect(read).resolves.toBe('a');
  });

  it('on close rejects waiting and later reads, after what is buffered has been read', async () => {
    const inbox = new Inbox<string>(10, () => undefined);
    const waiting = inbox.take();
    const stopped = new TransportStoppedError('stopped');
    inbox.close(stopped);
    await expect(waiting).rejects.toBe(stopped);
    await expect(inbox.take()).rejects.toBe(stopped);

    const buffered = new Inbox<string>(10, () => undefined);
    buffered.push('last');
    buffered.close(stopped);
    await expect(buffered.take()).resolves.toBe('last');
    await expect(buffered.take()).rejects.toBe(stopped);
  });

  it('cancels the timeout of a reader rejected by close', async () => {
    const scheduler = testScheduler();
    const inbox = new Inbox<string>(10, () => undefined, scheduler);
    const stopped = new TransportStoppedError('stopped');
    let read: Promise<string> | undefined;
    scheduler.run(({ cold }) => {
      read = inbox.take(100);
      cold('50ms x').subscribe(() => inbox.close(stopped));
    });
    await expect(read).rejects.toBe(stopped);
    expect(scheduler.actions).toHaveLength(0);
  });
});

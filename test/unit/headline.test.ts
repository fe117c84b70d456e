// The headline rules: an answer about the person's own apps that never says a plain "yes" over a block.
import { describe, expect, it } from 'vitest';
import { headlineOf, isGuessed } from '../../src/core/headline';
import type { AppVerdict, Overall } from '../../src/core/report';
import { appVerdict } from './fixtures/sample-report';

const works = (id: string, overrides: Partial<AppVerdict> = {}) => appVerdict(id, overrides);
const guessed = (id: string, overrides: Partial<AppVerdict> = {}) =>
  appVerdict(id, { confidence: 'low', reasons: ['MEDIA_INFERRED'], ...overrides });
const blocked = (id: string, overrides: Partial<AppVerdict> = {}) =>
  appVerdict(id, { verdict: 'blocked', messaging: 'reachable', calls: 'blocked', reasons: ['RELAY_UNREACHABLE'], ...overrides });
const degraded = (id: string, reasons: AppVerdict['reasons']) => appVerdict(id, { verdict: 'degraded', reasons });
const unknown = (id: string) => appVerdict(id, { verdict: 'unknown', confidence: 'low', messaging: 'unknown', calls: 'unknown', reasons: [] });

const overall = (reasons: Overall['reasons'] = []): Overall => ({ verdict: 'works', confidence: 'high', reasons, advice: [] });

/** The case: WhatsApp calls cut by the network, 15 other apps fine (10 of them only guessed). */
function cairo(): AppVerdict[] {
  return [
    blocked('whatsapp'),
    ...['signal', 'telegram', 'teams', 'meet', 'jitsi'].map((id) => works(id)),
    ...['viber', 'imo', 'botim', 'zoom', 'discord', 'slack', 'tango', 'facetime', 'teamspeak', 'messenger'].map((id) => guessed(id)),
  ];
}

describe('headlineOf with pinned apps', () => {
  it('says a pinned app is blocked even when most apps work, and names tested apps that work', () => {
    const headline = headlineOf(cairo(), overall(), ['whatsapp']);
    expect(headline).toMatchObject({ kind: 'blocked', scope: 'pinned', blocked: ['whatsapp'], alternatives: ['signal', 'telegram', 'teams'] });
  });

  it('offers the pinned apps that work first among the alternatives', () => {
    const headline = headlineOf(cairo(), overall(), ['whatsapp', 'jitsi']);
    expect(headline.alternatives[0]).toBe('jitsi');
    expect(headline.works).toEqual(['jitsi']);
  });

  it('never suggests an app that was only guessed to work', () => {
    const apps = [blocked('whatsapp'), guessed('viber'), guessed('imo')];
    expect(headlineOf(apps, overall(), ['whatsapp']).alternatives).toEqual([]);
  });

  it('answers "works" for the pinned apps, but still names apps the network blocks elsewhere (not a block resting on notes)', () => {
    const apps = [works('signal'), guessed('viber'), blocked('whatsapp'), blocked('imo', { reasons: ['SYMMETRIC_NAT', 'MEDIA_INFERRED'] })];
    const headline = headlineOf(apps, overall(), ['signal', 'viber']);
    expect(headline).toMatchObject({ kind: 'works', works: ['signal', 'viber'], elsewhere: ['whatsapp'] });
  });

  it('does not count a block on this device (other software) as the network blocking', () => {
    const apps = [works('signal'), blocked('whatsapp', { reasons: ['LOCAL_INTERFERENCE'] })];
    expect(headlineOf(apps, overall(), ['signal']).elsewhere).toEqual([]);
  });

  it('says a pinned app works but may sound poor when it is degraded by quality only', () => {
    const apps = [degraded('whatsapp', ['HIGH_LATENCY', 'MEDIA_INFERRED']), works('signal')];
    expect(headlineOf(apps, overall(), ['whatsapp'])).toMatchObject({ kind: 'degraded', degraded: ['whatsapp'], degradedBy: 'quality' });
  });

  it('tells a degraded connection (partial, fallback) from poor sound', () => {
    const apps = [degraded('teams', ['UDP_BLOCKED_TCP_FALLBACK', 'HIGH_LATENCY']), degraded('whatsapp', ['SLOW_LINK'])];
    expect(headlineOf(apps, overall(), ['teams', 'whatsapp'])).toMatchObject({ kind: 'degraded', degradedBy: 'reach' });
  });

  it('puts blocked before degraded: one blocked pinned app is the answer', () => {
    const apps = [degraded('teams', ['PARTIAL']), blocked('whatsapp'), works('signal')];
    expect(headlineOf(apps, overall(), ['teams', 'whatsapp'])).toMatchObject({ kind: 'blocked', blocked: ['whatsapp'], degraded: ['teams'] });
  });

  it('keeps pinned apps that could not be judged apart from the answer', () => {
    const apps = [unknown('whatsapp'), works('signal')];
    expect(headlineOf(apps, overall(), ['whatsapp', 'signal'])).toMatchObject({ kind: 'works', works: ['signal'], unknown: ['whatsapp'] });
    expect(headlineOf(apps, overall(), ['whatsapp'])).toMatchObject({ kind: 'unknown', scope: 'pinned', unknown: ['whatsapp'] });
  });

  it('speaks for every app when no pinned app is in the report', () => {
    expect(headlineOf(cairo(), overall(), ['an-app-this-catalog-lacks']).scope).toBe('all');
  });
});

describe('headlineOf without pinned apps', () => {
  it('names every blocked app instead of voting "yes"', () => {
    const apps = [...cairo(), blocked('messenger', { messaging: 'blocked', reasons: ['CONNECTION_RESET'] })];
    const headline = headlineOf(apps, overall(), []);
    expect(headline).toMatchObject({ kind: 'blocked', scope: 'all', blocked: ['whatsapp', 'messenger'] });
    expect(headline.elsewhere).toEqual([]);
  });

  it('names every degraded app when nothing is blocked', () => {
    const apps = [works('signal'), degraded('teams', ['PARTIAL']), degraded('meet', ['STUN_PORTS_BLOCKED'])];
    expect(headlineOf(apps, overall(), [])).toMatchObject({ kind: 'degraded', degraded: ['teams', 'meet'], degradedBy: 'reach' });
  });

  it('says "works" only when every judged app works', () => {
    const headline = headlineOf([works('signal'), guessed('viber'), unknown('imo')], overall(), []);
    expect(headline).toMatchObject({ kind: 'works', works: ['signal', 'viber'], unknown: ['imo'], allGuessed: false });
  });

  it('is unknown when no app could be judged', () => {
    expect(headlineOf([unknown('a'), unknown('b')], overall(), [])).toMatchObject({ kind: 'unknown', confidence: 'low' });
    expect(headlineOf([], undefined, []).kind).toBe('unknown');
  });
});

describe('headlineOf when nothing can be judged', () => {
  it('says offline, whatever the pins, without alternatives or confidence', () => {
    const apps = [appVerdict('whatsapp', { verdict: 'unknown', reasons: ['OFFLINE'] })];
    expect(headlineOf(apps, overall(['OFFLINE']), ['whatsapp'])).toMatchObject({ kind: 'offline', alternatives: [], confidence: undefined });
  });

  it('says captive portal from the overall reasons or an app\'s', () => {
    expect(headlineOf([], overall(['CAPTIVE_PORTAL']), []).kind).toBe('portal');
    const apps = [appVerdict('whatsapp', { verdict: 'unknown', reasons: ['CAPTIVE_PORTAL'] })];
    expect(headlineOf(apps, undefined, []).kind).toBe('portal');
  });

  it('puts offline before portal', () => {
    expect(headlineOf([], overall(['OFFLINE', 'CAPTIVE_PORTAL']), []).kind).toBe('offline');
  });
});

describe('headline confidence', () => {
  it('leaves guessed apps out: an answer resting only on guesses is low', () => {
    const headline = headlineOf([guessed('viber', { confidence: 'high' }), guessed('imo', { confidence: 'high' })], overall(), []);
    expect(headline).toMatchObject({ kind: 'works', allGuessed: true, confidence: 'low' });
  });

  it('does not let many guessed apps outvote the tested ones', () => {
    const apps = [works('signal', { confidence: 'medium' }), ...['a', 'b', 'c', 'd'].map((id) => guessed(id, { confidence: 'high' }))];
    expect(headlineOf(apps, overall(), []).confidence).toBe('medium');
  });

  it('takes the lower median of the named tested apps', () => {
    const apps = [works('a', { confidence: 'high' }), works('b', { confidence: 'high' }), works('c', { confidence: 'low' })];
    expect(headlineOf(apps, overall(), []).confidence).toBe('high');
    const two = [works('a', { confidence: 'high' }), works('b', { confidence: 'low' })];
    expect(headlineOf(two, overall(), []).confidence).toBe('low');
  });

  it('rests a "blocked" answer on the blocked apps only', () => {
    const apps = [blocked('whatsapp', { confidence: 'medium' }), works('signal', { confidence: 'high' })];
    expect(headlineOf(apps, overall(), ['whatsapp']).confidence).toBe('medium');
  });
});

describe('isGuessed', () => {
  it('is a verdict whose calls were inferred from general tests', () => {
    expect(isGuessed(guessed('viber'))).toBe(true);
    expect(isGuessed(works('signal'))).toBe(false);
  });

  it('is not a block found on the app\'s own signalling hosts, nor an unknown', () => {
    expect(isGuessed(blocked('viber', { messaging: 'blocked', reasons: ['CONNECTION_RESET', 'MEDIA_INFERRED'] }))).toBe(false);
    expect(isGuessed(appVerdict('viber', { verdict: 'unknown', reasons: ['MEDIA_INFERRED'] }))).toBe(false);
  });
});

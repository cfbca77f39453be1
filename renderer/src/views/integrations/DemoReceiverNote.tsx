/**
 * The note on an integration that posts to the embedded demo webhook receiver (`HostInfo.demoReceiver`: only while the
 * panel is on the embedded services its host started; with a hub chosen elsewhere there is none, and no note). It
 * says this is the demo receiver and what its failure rule fails on purpose, read from the receiver itself through the
 * engine (`demoReceiverRule`: the page never calls the receiver, whose admin API refuses web pages). "Heal the demo
 * receiver" drops the rule and "Break it again" puts the demo's back (`setDemoReceiverRule`); how that ended is said
 * here and in a toast, with what delivers the failed assets now (a Re-sync, or Sync all: the server does not retry a
 * Failed asset by itself).
 */
import { useCallback, useEffect, useState } from 'react';
import { DEMO_RECEIVER_RULE, type TFailureRule } from '../../../../shared/assethub/demo-receiver.ts';
import { attempt, demoReceiverRule, failureOf, setDemoReceiverRule } from '../../commands/index.ts';
import { usePanel } from '../../store/panel.ts';
import { describeRule, isDemoReceiver } from './demoReceiver.ts';
import './demo-receiver.css';

type Choice = 'none' | 'demo';
type RuleRead = { phase: 'reading' } | { phase: 'read'; rule: TFailureRule | null } | { phase: 'unread'; code: string; message: string };
type Outcome = { to: Choice; phase: 'working' } | { to: Choice; phase: 'done' } | { to: Choice; phase: 'failed'; code: string; message: string } | null;

const WORDS = {
  none: { working: 'Healing the demo receiver…', done: 'Healed.', failed: 'Not healed', toast: 'Demo receiver healed' },
  demo: { working: 'Putting the demo rule back…', done: 'Broken again: the demo rule is back.', failed: 'Not broken again', toast: 'Demo receiver broken again' },
} as const;

function RuleText({ read, failed }: { read: RuleRead; failed: number }) {
  if (read.phase === 'reading') return <p className="muted" data-testid="int-demo-rule" data-phase="reading">Reading its rule…</p>;
  if (read.phase === 'unread') {
    return <p className="int-bad" data-testid="int-demo-rule" data-phase="unread">Its rule could not be read ({read.code}): {read.message}</p>;
  }
  const does = describeRule(read.rule);
  if (does !== null) {
    return (
      <p data-testid="int-demo-rule" data-phase="read" data-rule={JSON.stringify(read.rule)}>
        Its rule fails assets <strong>on purpose</strong>, so the Failed list has something to show: it {does}. Nothing is wrong with
        those assets: heal the receiver, then Re-sync them.
      </p>
    );
  }
  const them = failed === 1 ? 'the failed asset' : 'the failed assets';
  return (
    <p data-testid="int-demo-rule" data-phase="read" data-rule="null">
      It has no rule now: it answers every asset.{' '}
      {failed > 0 ? `A Re-sync of ${them} (or Sync all) will now deliver ${failed === 1 ? 'it' : 'them'}; the server does not retry a Failed asset by itself.` : ''}
      <span className="muted"> “Break it again” puts back the demo rule (it {describeRule(DEMO_RECEIVER_RULE)}).</span>
    </p>
  );
}

/** The note's body, for one receiver URL (a new URL, after the services restarted, is read afresh). */
function Note({ failed }: { failed: number }) {
  const [read, setRead] = useState<RuleRead>({ phase: 'reading' });
  const [outcome, setOutcome] = useState<Outcome>(null);

  const readRule = useCallback(async () => {
    setRead({ phase: 'reading' });
    try {
      setRead({ phase: 'read', rule: await demoReceiverRule() });
    } catch (error) {
      setRead({ phase: 'unread', ...failureOf(error) });
    }
  }, []);
  useEffect(() => void readRule(), [readRule]);

  const set = async (to: Choice) => {
    setOutcome({ to, phase: 'working' });
    const next = to === 'none' ? 'A Re-sync of a failed asset (or Sync all) will now deliver it.' : 'The assets it drops end up Failed again.';
    const outcome = await attempt(setDemoReceiverRule(to), { failure: `${WORDS[to].failed}: the demo receiver`, success: { title: WORDS[to].toast, message: next } });
    if (outcome.ok) {
      setRead({ phase: 'read', rule: outcome.value });
      setOutcome({ to, phase: 'done' });
    } else {
      setOutcome({ to, phase: 'failed', ...outcome.error });
      void readRule();
    }
  };

  const working = outcome?.phase === 'working';
  const rule = read.phase === 'read' ? read.rule : undefined;
  return (
    <>
      <div className="demo-rx-text">
        <p className="demo-rx-lead">
          <span className="demo-rx-chip">Demo receiver</span> This integration posts to the demo webhook receiver the panel started with its
          embedded services: a stand-in for a real asset system.
        </p>
        {outcome && (
          <p
            className={`demo-rx-outcome ${outcome.phase === 'working' ? 'int-progress' : outcome.phase === 'done' ? 'int-ok' : 'int-bad'}`}
            role={outcome.phase === 'failed' ? 'alert' : 'status'}
            data-testid="int-demo-outcome"
            data-phase={outcome.phase}
          >
            {outcome.phase === 'failed' ? `${WORDS[outcome.to].failed} (${outcome.code}): ${outcome.message}` : WORDS[outcome.to][outcome.phase]}
          </p>
        )}
        <RuleText read={read} failed={failed} />
      </div>
      <div className="demo-rx-actions">
        {rule === null ? (
          <button type="button" disabled={working} onClick={() => void set('demo')} data-testid="int-demo-break">Break it again</button>
        ) : (
          <button type="button" className="primary" disabled={working || read.phase === 'reading'} onClick={() => void set('none')} data-testid="int-demo-heal">
            Heal the demo receiver
          </button>
        )}
        {read.phase === 'unread' && <button type="button" className="int-small" onClick={() => void readRule()}>Read again</button>}
      </div>
    </>
  );
}

/** The note, when `endpoint` is the embedded demo receiver; nothing otherwise. */
export function DemoReceiverNote({ endpoint, failed }: { endpoint: string; failed: number }) {
  const receiver = usePanel((s) => s.data?.host.demoReceiver ?? null);
  if (!receiver || !isDemoReceiver(endpoint, receiver.url)) return null;
  return (
    <section className="demo-rx" aria-label="The demo receiver" data-testid="int-demo-receiver">
      <Note key={receiver.url} failed={failed} />
    </section>
  );
}

"""Fault injection: `medcot train` is SIGKILLed at every file write, rename and delete it makes in its run directory
(tests/fault_inject.py counts them). After each kill, whatever the directory presents as complete (the adapter,
every marked checkpoint, config.yaml, manifest.json) must load, and `medcot train --resume` must finish this run."""
import json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest, torch, yaml
from transformers import AutoModelForCausalLM  # imported here, not in the worker threads (lazy imports race)
from peft import PeftModel

HERE = Path(__file__).parent
ARGS = ['train', '--preset', 'tiny', 'max_steps=4', 'save_steps=2', 'save_total_limit=1', 'eval_steps=0', 'logging_steps=1',
        'data.max_samples=8', 'data.eval_fraction=0', 'data.max_seq_length=256']

def medcot(run, *extra, kill_at=None, events=None):
    env = dict(os.environ, HF_HUB_OFFLINE='1', OMP_NUM_THREADS='1', MEDCOT_FAULT_DIR=str(run.parent))
    if kill_at: env['MEDCOT_KILL_AT'] = str(kill_at)
    if events: env['MEDCOT_EVENTS'] = str(events)
    cmd = [sys.executable, str(HERE/'fault_inject.py')] if (kill_at or events) else [sys.executable, '-m', 'medcot']
    return subprocess.run([*cmd, *ARGS, f'output_dir={run}', *extra], capture_output=True, text=True, env=env, timeout=600)

def check_presented(run:Path, tiny)->dict:
    "Load everything the run directory presents as complete; returns what was there."
    from safetensors.torch import load_file
    from medcot.runs import adapter_dir, checkpoints
    seen = dict(adapter=False, checkpoints=[])
    ad = adapter_dir(run)  # finishes or rolls back an interrupted adapter swap
    assert not [p.name for p in run.iterdir() if p.name.startswith('adapter.')], sorted(p.name for p in run.iterdir())
    if ad is not None:
        PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny), ad); seen['adapter'] = True
    for step, p, info in checkpoints(run):
        load_file(p/'adapter_model.safetensors'); torch.load(p/'optimizer.pt', weights_only=False)
        torch.load(p/'scheduler.pt', weights_only=False); json.loads((p/'trainer_state.json').read_text())
        seen['checkpoints'].append(step)
    if (run/'config.yaml').exists(): assert isinstance(yaml.safe_load((run/'config.yaml').read_text()), dict)
    if (run/'manifest.json').exists(): assert json.loads((run/'manifest.json').read_text())['steps'] == 4
    return seen

def kill_and_resume(tmp:Path, k:int, tiny)->dict:
    run = tmp/f'kill-{k}'/'run'; run.parent.mkdir(parents=True)
    r = medcot(run, kill_at=k)
    assert r.returncode == -9, (k, r.returncode, r.stderr[-2000:])
    seen = check_presented(run, tiny)
    r = medcot(run, '--resume') if seen['checkpoints'] or seen['adapter'] else medcot(run)
    assert r.returncode == 0, (k, seen, r.stderr[-2000:])
    m = json.loads((run/'manifest.json').read_text())
    assert m['steps'] == 4, (k, m['steps'])
    if seen['checkpoints']: assert m['resumed_from'].endswith(f"checkpoint-{seen['checkpoints'][-1]}"), (k, m['resumed_from'])
    assert check_presented(run, tiny)['adapter']
    return dict(kill_at=k, presented=seen, resumed=bool(seen['checkpoints']))

def test_sigkill_at_every_write_then_resume(tmp_path, tiny):
    events = tmp_path/'events.txt'
    clean = tmp_path/'clean'/'run'; clean.parent.mkdir()
    r = medcot(clean, events=events)
    assert r.returncode == 0, r.stderr[-2000:]
    log = [l.split('\t') for l in events.read_text().splitlines()]
    kinds = {k for _, k, _ in log}
    assert {'rename', 'replace', 'rmtree', 'torch.save', 'save_file', 'open-for-write'} <= kinds, kinds
    with ThreadPoolExecutor(2) as ex: results = list(ex.map(lambda k: kill_and_resume(tmp_path, k, tiny), range(1, len(log) + 1)))
    print(f"\n{len(results)} kill points: {sum(r['resumed'] for r in results)} resumed from a checkpoint, "
          f"{sum(not r['resumed'] for r in results)} started over (killed before the first complete checkpoint)")
    assert len(results) == len(log) >= 40

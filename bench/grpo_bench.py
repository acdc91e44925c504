"""GRPO speed and memory of medcot's presets on a GPU: rollouts/s, generated tokens/s, update time per step, peak memory.

    python bench/grpo_bench.py PRESET MODEL_DIR [key=value ...]

Runs `python -m medcot grpo --preset PRESET` as a user would, on the toy items (`items.source=letters`) and a model of a
real shape with random weights: its completions rarely end early, so every rollout costs the full
`max_completion_length`, which is what R1 distills' long reasoning costs in practice. Prints one JSON line."""
import json, os, subprocess, sys, time
from pathlib import Path

def run(preset, model_dir, extra=(), steps=6):
    out = Path(f"/tmp/grpo-bench-{preset}-{int(time.time())}")
    cmd = [sys.executable, '-m', 'medcot', 'grpo', '--preset', preset, f'model.name={model_dir}', 'items.source=letters',
           'items.eval_items=0', f'max_steps={steps}', 'logging_steps=1', 'save_steps=100000', f'output_dir={out}', *extra]
    t = time.time(); r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode: print(r.stdout[-3000:], r.stderr[-6000:], file=sys.stderr); return dict(recipe=f'medcot grpo --preset {preset}', extra=list(extra), error=r.stderr.strip().splitlines()[-1][:300])
    m = json.loads((out/'manifest.json').read_text())
    import yaml
    cfg = yaml.safe_load((out/'config.yaml').read_text())
    return dict(recipe=f'medcot grpo --preset {preset}', extra=list(extra), backend=cfg['model']['backend'], dtype=cfg['model']['dtype'],
                group=cfg['num_generations'], completions_per_step=cfg['batch_size'] * cfg['grad_accum'],
                max_completion_length=cfg['max_completion_length'], steps=m['steps'], **m['speed'],
                peak_alloc_GiB=m['peak_memory_gib'].get('gpu_allocated'), peak_reserved_GiB=m['peak_memory_gib'].get('gpu_reserved'),
                wall_s=round(time.time() - t, 1), device=m['device'], versions=m['versions'])

if __name__ == '__main__':
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    preset, model_dir, *extra = sys.argv[1:]
    print(json.dumps(run(preset, model_dir, extra, int(os.environ.get('STEPS', 6)))))

"""Where does one medcot training step spend its time on the GPU?

    python bench/profile_train.py TAG PRESET model.name=MODEL_DIR data.source=DATA.jsonl [key=value ...]

Trains like `medcot train --preset PRESET` (in-process, through `medcot.train.train`) with two extra callbacks:
a clock (device-synchronised at every step boundary: per-step seconds and tokens) and `torch.profiler` over two
steps after warm-up. Writes to $OUT (default /tmp/medcot-out): `prof-TAG.txt` (top kernels and host ops, GPU-busy
fraction of the profiled steps, host syncs) and one JSON line on stdout (median step, tokens/step, tokens/s).
STEPS (default 12) steps; PROF_AT (default 6) the step before the profiled two, -1 for the clock alone;
NO_QKV=1 trains without medcot's fused-QKV shim (`unsloth_qkv_bias`, 00c_compat) to measure what it gives."""
import json, os, sys, time
from pathlib import Path

def busy_fraction(prof, t0_us, t1_us):
    "Share of [t0, t1] in which at least one GPU kernel ran (union of kernel intervals)."
    from torch.autograd import DeviceType
    iv = sorted((e.time_range.start, e.time_range.end) for e in prof.events()
                if e.device_type == DeviceType.CUDA and e.time_range.start >= t0_us and e.time_range.end <= t1_us)
    busy, cur_s, cur_e = 0, None, None
    for s, e in iv:
        if cur_e is None or s > cur_e:
            if cur_e is not None: busy += cur_e - cur_s
            cur_s, cur_e = s, e
        else: cur_e = max(cur_e, e)
    if cur_e is not None: busy += cur_e - cur_s
    return busy / max(t1_us - t0_us, 1)

def main(tag, preset, *extra):
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    out = Path(os.environ.get('OUT', '/tmp/medcot-out')); out.mkdir(parents=True, exist_ok=True)
    from medcot.train import make_config, train
    steps, prof_at = int(os.environ.get('STEPS', 12)), int(os.environ.get('PROF_AT', 6))
    cfg = make_config(preset=preset, overrides=['data.eval_fraction=0',
        f'max_steps={steps}', 'save_steps=100000', 'eval_steps=0', f'logging_steps={steps}',
        f'output_dir=/tmp/prof-{tag}-{int(time.time())}', *extra])
    import torch
    from transformers import TrainerCallback
    from torch.profiler import profile, ProfilerActivity

    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])

    class Clock(TrainerCallback):
        def __init__(self): self.t, self.n, self.prof, self.win = [], [], None, None
        def on_step_begin(self, args, state, control, **kw):
            sync(); self.t0, self.n0 = time.perf_counter(), state.num_input_tokens_seen
            if state.global_step == prof_at:
                self.prof = profile(activities=acts); self.prof.__enter__()
                self.pt0 = time.perf_counter()
        def on_step_end(self, args, state, control, **kw):
            sync(); self.t.append(time.perf_counter() - self.t0); self.n.append(state.num_input_tokens_seen - self.n0)
            if self.prof is not None and state.global_step == prof_at + 2:
                self.win = time.perf_counter() - self.pt0
                self.prof.__exit__(None, None, None)

    if os.environ.get('NO_QKV'):  # the same run without the fused-QKV shim (00c_compat), to measure what it gives
        import medcot.quant as Q; Q.unsloth_qkv_bias = lambda model: 'fused QKV: off (NO_QKV)'
    clock = Clock()
    res = train(cfg, callbacks=[clock], verbose=False)
    warm = list(zip(clock.t, clock.n))[3:]  # the steps after warm-up
    med = sorted(t for t, _ in warm)[len(warm)//2]
    tok = sum(n for _, n in warm) / len(warm)
    r = dict(tag=tag, preset=preset, extra=list(extra), qkv=res.manifest.get('qkv'), step_s=[round(t, 3) for t in clock.t], tokens=clock.n,
             step_s_median=round(med, 3), tokens_per_step=round(tok), tok_s_median=round(tok / med),
             tok_s_mean=round(sum(n for _, n in warm) / sum(t for t, _ in warm)),
             peak_alloc_GiB=res.manifest['peak_memory_gib'].get('gpu_allocated'), train_loss=res.manifest.get('train_loss'),
             manifest_tok_s=res.manifest['tokens_per_second_after_warmup'], device=res.manifest.get('device'))
    p = clock.prof
    if p is not None:  # none under PROF_AT=-1: the clock alone
        lines = [f'# {tag}: preset {preset} {" ".join(extra)}; steps {prof_at + 1}-{prof_at + 2} profiled ({clock.win:.3f} s wall)']
        evs = p.events()
        t0 = min(e.time_range.start for e in evs); t1 = max(e.time_range.end for e in evs)
        r['gpu_busy'] = busy = round(busy_fraction(p, t0, t1), 3)
        ka = p.key_averages()
        syncs = {k.key: k.count for k in ka if k.key in ('cudaStreamSynchronize', 'cudaDeviceSynchronize', 'cudaMemcpyAsync', 'aten::item',
                                                         'aten::_local_scalar_dense', 'cudaLaunchKernel', 'cuLaunchKernel', 'cudaEventSynchronize')}
        lines += [f'GPU busy {busy:.1%} of the profiled window; host calls: {json.dumps(syncs)}', '',
                  '## by device time', ka.table(sort_by='self_cuda_time_total' if torch.cuda.is_available() else 'self_cpu_time_total', row_limit=45, max_name_column_width=90), '',
                  '## by host time (self)', ka.table(sort_by='self_cpu_time_total', row_limit=35, max_name_column_width=90)]
        (out/f'prof-{tag}.txt').write_text('\n'.join(lines))
    print(json.dumps(r))

if __name__ == '__main__': main(*sys.argv[1:])

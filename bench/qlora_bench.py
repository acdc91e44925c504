"""QLoRA training throughput and memory of medcot's presets on a GPU (random weights of a real shape).

    python bench/qlora_bench.py data  MODEL_DIR OUT.jsonl [LENGTHS.json]   # texts whose token counts follow LENGTHS
    python bench/qlora_bench.py run   PRESET MODEL_DIR DATA.jsonl [key=value ...]
    python bench/qlora_bench.py matmul                                     # the card's measured bf16 matmul TFLOP/s

`run` trains with `python -m medcot train --preset PRESET` exactly as a user would (plus the model, data and a
fixed number of steps) and prints one JSON line: effective (non-padding) tokens/s after 3 warm-up steps, peak
GPU memory, medcot's own memory estimate for the same settings, hours for one epoch of 20,000 such examples,
and model-FLOPs utilization against the matmul rate given in MATMUL_TFLOPS.
LENGTHS defaults to `bench/medical_o1_lengths.json`: the token counts (characters/4) of 198 medical-o1 records.
LOGSTEPS=1 logs the loss of every step (the data-parallel check compares these curves); LAUNCH="torchrun
--nproc_per_node N" runs data parallel."""
import json, os, subprocess, sys, time
from pathlib import Path

def make_data(model_dir, out, lengths_path=None, n=2000, seed=0):
    "Records with random text whose tokenized question/reasoning/answer add up to the target lengths."
    import random
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model_dir)
    lengths = json.loads(Path(lengths_path or Path(__file__).with_name('medical_o1_lengths.json')).read_text())
    rng = random.Random(seed)
    vocab = [i for t, i in tok.get_vocab().items() if i not in tok.all_special_ids and t.isalpha()]
    text = lambda k: tok.decode(rng.choices(vocab, k=max(k, 1)))
    with open(f'{out}.tmp', 'w') as f:  # complete or absent: runs side by side may wait on the same file
        for i in range(n):
            L = lengths[i % len(lengths)]
            q, a = max(L // 8, 8), max(L // 10, 8)
            f.write(json.dumps(dict(Question=text(q), Complex_CoT=text(L - q - a), Response=text(a))) + '\n')
    os.replace(f'{out}.tmp', out)
    return lengths

def matmul_tflops(n=8192, iters=50):
    import torch
    a = torch.randn(n, n, device='cuda', dtype=torch.bfloat16); b = torch.randn(n, n, device='cuda', dtype=torch.bfloat16)
    for _ in range(5): a @ b
    torch.cuda.synchronize(); t = time.perf_counter()
    for _ in range(iters): a @ b
    torch.cuda.synchronize()
    return 2 * n**3 * iters / (time.perf_counter() - t) / 1e12

def model_flops_per_token(cfg:dict, ctx:float)->float:
    "Forward + backward matmul FLOPs per trained token for LoRA on a frozen base (no recompute, no weight grads of the base)."
    from medcot.memory import _shapes
    H, L, V = cfg['hidden_size'], cfg['num_hidden_layers'], cfg['vocab_size']
    n_lin = L * sum(i*o for i, o in _shapes(cfg).values()) + V*H   # layers + head (the embedding is a lookup)
    attn = 2 * 2 * L * H * ctx                                     # QK^T and AV per token over `ctx` keys (causal: mean context)
    return 2 * (2*n_lin + attn)  # the forward, and a backward to the inputs of the same cost (frozen base: no weight grads)

def run(preset, model_dir, data, extra=(), steps=14):
    out = Path(f"/tmp/bench-{preset}-{int(time.time())}-{os.getpid()}")  # runs side by side each get their own
    launch = os.environ.get('LAUNCH', '').split()  # e.g. LAUNCH="torchrun --nproc_per_node 2" for data parallel
    cmd = [*(launch or [sys.executable]), '-m', 'medcot', 'train', '--preset', preset, f'model.name={model_dir}', f'data.source={data}',
           'data.eval_fraction=0', f'max_steps={steps}', 'save_steps=100000', 'eval_steps=0',
           f"logging_steps={os.environ.get('LOGSTEPS', steps)}",
           f'output_dir={out}', *extra]
    t = time.time(); r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode: print(r.stdout[-3000:], r.stderr[-6000:], file=sys.stderr); sys.exit(r.returncode)
    m = json.loads((out/'manifest.json').read_text())
    import yaml
    cfg = yaml.safe_load((out/'config.yaml').read_text())
    from medcot.memory import estimate_memory
    mcfg = json.loads((Path(model_dir)/'config.json').read_text())
    seq, bs = cfg['data']['max_seq_length'], cfg['batch_size']
    tps = m['tokens_per_second_after_warmup'] or m['tokens_per_second']
    mean_len = float(os.environ.get('MEAN_LEN', 0)) or None
    est = estimate_memory(mcfg, seq, bs, r=cfg['lora']['r'], backend=cfg['model']['backend'],
                          dtype_bytes=2, gradient_checkpointing=cfg['model']['gradient_checkpointing'], dropout=cfg['lora']['dropout'])
    res = dict(recipe=f'medcot --preset {preset}', extra=list(extra), launch=' '.join(launch), processes=m.get('processes', 1), backend=cfg['model']['backend'], dtype=cfg['model']['dtype'],
               packing=cfg['packing'], batch=bs, grad_accum=cfg['grad_accum'], steps=m['steps'],
               effective_tokens_per_s=round(tps), effective_tokens_per_s_median_step=round(m.get('tokens_per_second_median_step') or 0),
               peak_alloc_GiB=m['peak_memory_gib'].get('gpu_allocated'),
               peak_reserved_GiB=m['peak_memory_gib'].get('gpu_reserved'), estimate_GiB=est['total'],
               wall_s=round(time.time() - t, 1), device=m['device'], versions=m['versions'], train_loss=m['train_loss'],
               gradient_checkpointing=cfg['model']['gradient_checkpointing'], plan=cfg.get('plan'), lora_dropout=cfg['lora']['dropout'],
               seq=seq, adapter_sha256_by_rank=m.get('adapter_sha256_by_rank'), qkv=m.get('qkv'))
    digests = m.get('adapter_sha256_by_rank')
    if launch: res['ranks_in_step'] = bool(digests) and len(set(digests)) == 1
    if mean_len:
        res['hours_per_epoch_20k'] = round(20000 * mean_len / tps / 3600, 2)
        tf = float(os.environ.get('MATMUL_TFLOPS', 0))
        if tf: res['mfu'] = round(tps * model_flops_per_token(mcfg, mean_len / 2) / (tf * 1e12), 3)
    print(json.dumps(res))

if __name__ == '__main__':
    os.environ.setdefault('HF_HUB_OFFLINE', '1')
    cmd, *args = sys.argv[1:]
    if cmd == 'data':
        n = int(os.environ.get('N', 2000))
        L = make_data(*args[:3], n=n)
        print(json.dumps(dict(examples=n, mean_len=round(sum(L)/len(L), 1), median_len=sorted(L)[len(L)//2])))
    elif cmd == 'matmul': print(json.dumps(dict(bf16_matmul_tflops=round(matmul_tflops(), 1))))
    elif cmd == 'run':
        preset, model_dir, data, *extra = args
        steps = int(os.environ.get('STEPS', 14))
        run(preset, model_dir, data, extra, steps)

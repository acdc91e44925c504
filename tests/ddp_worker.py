"Run by tests/test_ddp.py under torchrun: trains the tiny preset, then each rank writes a hash of its adapter weights."
import hashlib, os, sys
os.environ.setdefault('HF_HUB_OFFLINE', '1')
import torch
from medcot.train import make_config, train

out, hashes, steps, resume, *extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == 'resume', *sys.argv[5:]
res = train(make_config(preset='tiny', overrides=[f'output_dir={out}', f'max_steps={steps}', 'save_steps=3', 'eval_steps=0', *extra]),
            resume=resume, verbose=False)
h = hashlib.sha256()
for n, p in sorted(res.model.named_parameters()):
    if 'lora_' in n: h.update(p.detach().float().cpu().numpy().tobytes())
os.makedirs(hashes, exist_ok=True)
open(os.path.join(hashes, f"rank{os.environ.get('RANK', 0)}-{steps}.txt"), 'w').write(h.hexdigest())

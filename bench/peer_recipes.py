"""The peer recipes medcot is measured against: how people commonly fine-tune an R1 distill with QLoRA, each
written out here as its authors' defaults have it, on the same model shape and example lengths as medcot's run.

    python bench/peer_recipes.py RECIPE MODEL_DIR [LENGTHS.json]

RECIPE:
- `tutorial`: transformers + peft + bitsandbytes + TRL, as in the common "fine-tune DeepSeek-R1 on medical CoT"
  tutorials: batch 2 x 4 accumulation, padded batches, peft's gradient checkpointing, LoRA dropout 0.05;
- `unsloth_defaults`: Unsloth's notebook defaults: batch 2 x 4 accumulation, dropout 0, "unsloth" checkpointing;
- `unsloth_packed`: the same with TRL's packing and batch BS (default 16), what a careful Unsloth user runs.

Each recipe runs in its own process (Unsloth patches transformers on import). The examples are random token ids
with the lengths in LENGTHS (default: the medical-o1 lengths bundled here; speed does not depend on the values).
Prints one JSON line: effective (non-padding) tokens per optimizer step over the median step time after 3
warm-up steps, as medcot's `tokens_per_second_median_step`, and peak allocated GPU memory."""
import json, os, sys, time
from pathlib import Path
os.environ.setdefault('HF_HUB_OFFLINE', '1')
recipe, model_dir = sys.argv[1], sys.argv[2]
lengths_file = sys.argv[3] if len(sys.argv) > 3 else Path(__file__).with_name('medical_o1_lengths.json')
if recipe not in ('tutorial', 'unsloth_defaults', 'unsloth_packed'): sys.exit(f"unknown recipe {recipe}")
if recipe.startswith('unsloth'):
    import unsloth  # noqa: F401  (first, to patch transformers, peft and trl)
    from unsloth import FastLanguageModel
import torch
from datasets import Dataset
from transformers import TrainerCallback
from trl import SFTConfig, SFTTrainer

STEPS, SEQ = int(os.environ.get('STEPS', 14)), 2048
TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']
lengths = json.loads(Path(lengths_file).read_text())
g = torch.Generator().manual_seed(0)
rows = []
for i in range(2000):
    n = min(lengths[i % len(lengths)], SEQ)
    rows.append({'input_ids': torch.randint(10, 150000, (n,), generator=g).tolist(),
                 'completion_mask': [0] * (n // 5) + [1] * (n - n // 5)})  # the prompt is a fifth: loss on the rest
ds = Dataset.from_list(rows)

class StepClock(TrainerCallback):
    def __init__(self): self.times = []
    def on_step_begin(self, args, state, control, **kw): torch.cuda.synchronize(); self.t = time.perf_counter()
    def on_step_end(self, args, state, control, **kw): torch.cuda.synchronize(); self.times.append(time.perf_counter() - self.t)

if recipe == 'tutorial':
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    tok = AutoTokenizer.from_pretrained(model_dir)
    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_use_double_quant=True,
                           bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(model_dir, quantization_config=q, dtype=torch.bfloat16, device_map={'': 0})
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules=TARGETS, task_type='CAUSAL_LM'))
    batch, accum, packing, dropout = 2, 4, False, 0.05
else:
    model, tok = FastLanguageModel.from_pretrained(model_dir, max_seq_length=SEQ, load_in_4bit=True, dtype=torch.bfloat16)
    model = FastLanguageModel.get_peft_model(model, r=16, lora_alpha=32, lora_dropout=0, target_modules=TARGETS,
                                             use_gradient_checkpointing='unsloth', random_state=3407)
    batch, accum, packing, dropout = (2, 4, False, 0) if recipe == 'unsloth_defaults' else (int(os.environ.get('BS', 16)), 1, True, 0)

args = SFTConfig(output_dir=f'/tmp/peer-{recipe}', per_device_train_batch_size=batch, gradient_accumulation_steps=accum,
                 max_steps=STEPS, learning_rate=2e-4, bf16=True, logging_steps=10, report_to='none', save_strategy='no',
                 max_length=SEQ, packing=packing, optim='adamw_8bit', seed=3407, gradient_checkpointing=recipe == 'tutorial')
clock = StepClock()
trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, callbacks=[clock])
torch.cuda.reset_peak_memory_stats()
t0 = time.time(); trainer.train(); wall = time.time() - t0
# the real (non-padding) tokens of the batches these steps trained on, from the trainer's own dataloader
real = padded = micro = 0
for b in trainer.get_train_dataloader():
    am = b.get('attention_mask')
    real += int(am.sum()) if am is not None else int(b['input_ids'].numel())  # a packed padding-free row has no padding
    padded += int(b['input_ids'].numel()); micro += 1
    if micro >= STEPS * accum: break
per_step = real / (micro / accum)
warm = sorted(clock.times[3:]); med = warm[len(warm) // 2]
print(json.dumps(dict(recipe=recipe, batch=batch, grad_accum=accum, packing=packing, lora_dropout=dropout, steps=STEPS,
                      step_s_median=round(med, 3), real_tokens_per_step=round(per_step), pad_efficiency=round(real / padded, 3),
                      effective_tokens_per_s=round(per_step / med), peak_alloc_GiB=round(torch.cuda.max_memory_allocated() / 2**30, 2),
                      wall_s=round(wall, 1), device=torch.cuda.get_device_name())))

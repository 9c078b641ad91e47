namespace ControlNet.Cli;

internal static class Help
{
    public const string Text = """
        controlnet — ControlNet (Zhang & Agrawala 2023) for Stable Diffusion 1.5 on ONNX Runtime

        Control maps
          controlnet preprocess TYPE --input IMG --output OUT.png [--resolution N] [type options]
              TYPE: canny [--low 100 --high 200] | scribble [--threshold 127] | shuffle [--seed 0 --cell 256]
                    | tile [--factor 4] | invert | none
          controlnet bench canny --input IMG [--low 100 --high 200] [--iterations 30]

        Generation
          controlnet generate --model DIR --controlnet DIR [--controlnet DIR …] --control-image IMG
              [--preprocess canny|none|scribble|shuffle|tile|invert] [--prompt TEXT] [--negative-prompt TEXT]
              [--prompt-mode user|none|default] [--steps 20] [--guidance 9] [--control-scale 1.0]
              [--control-mode balanced|prompt|control|unbalanced] [--guidance-start 0] [--guidance-end 1]
              [--seed N] [--count 1] [--width W --height H] [--eta 0] [--provider auto|cuda|cpu]
              [--device-id 0] [--threads N] --output OUT.png
          controlnet tokens --tokenizer DIR [--json] TEXT
          controlnet models tiny --output DIR [--kind linear|bench] [--fp16]
          controlnet bench generate --model DIR --controlnet DIR [--steps N] [--width 512 --height 512]

        Durable workflow (portable host; blobs on Azurite or AzureWebJobsStorage)
          controlnet run --input FILE|blob-path [job options] [--models DIR] [--durable memory|azure-storage] [--output-dir DIR]
          controlnet batch --manifest FILE|blob [--batch-id ID] [--durable memory|azure-storage] [--output-dir DIR]
          controlnet serve [--durable azure-storage] [--watch inputs]
          controlnet bench workflow --jobs N [--durable memory|azure-storage]

        Exit codes: 0 success, 2 bad input (one-line reason on stderr), 1 unexpected fault.
        """;
}

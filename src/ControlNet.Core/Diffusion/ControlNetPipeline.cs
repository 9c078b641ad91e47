using System.Diagnostics;
using System.Numerics.Tensors;
using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;
using ControlNet.Core.Randomness;
using ControlNet.Core.Scheduling;
using ControlNet.Core.Text;
using Microsoft.ML.OnnxRuntime;

namespace ControlNet.Core.Diffusion;

/// <summary>
/// ControlNet-conditioned DDIM sampling of Stable Diffusion 1.5, step for step as diffusers'
/// <c>StableDiffusionControlNetPipeline</c>: encode prompt → seeded latents → for each timestep
/// (ControlNet residuals → UNet → CFG → DDIM step) → VAE decode. Thread-safe: sessions are shared,
/// every buffer belongs to one <see cref="Generate"/> call.
/// </summary>
public sealed class ControlNetPipeline
{
    /// <summary>SD1.5's VAE latent scaling: the decoder takes latents / 0.18215.</summary>
    public const float VaeScalingFactor = 0.18215f;

    private static readonly string[] UnetOutputNames = ["out_sample"];
    private static readonly string[] UnetInputNames =
        new[] { "sample", "timestep", "encoder_hidden_states" }.Concat(ResidualNames.All).ToArray();

    private readonly StableDiffusionModels _models;

    /// <summary>Images denoised together in one UNet batch (CFG doubles it); lower it when memory is short.</summary>
    public int MaxImagesPerBatch { get; }

    public ControlNetPipeline(StableDiffusionModels models, int maxImagesPerBatch = 4)
    {
        if (maxImagesPerBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxImagesPerBatch));
        _models = models;
        MaxImagesPerBatch = maxImagesPerBatch;
    }

    /// <summary>Where the UNet runs (`cuda:0` or `cpu`).</summary>
    public string Provider => _models.Unet.Provider;

    public GenerationResult Generate(GenerationRequest request, Action<GenerationProgress>? progress = null, CancellationToken cancellation = default)
    {
        request.Validate();
        try
        {
            return Sample(request, progress, cancellation);
        }
        catch (OnnxRuntimeException) when (cancellation.IsCancellationRequested)
        {
            // RunOptions.Terminate stops a Run midway with an ORT error; to callers it is a cancellation.
            throw new OperationCanceledException("Generation was cancelled.", cancellation);
        }
        catch (OnnxRuntimeException e) when (e.Message.StartsWith("[ErrorCode:InvalidArgument]", StringComparison.Ordinal))
        {
            // Deterministic for this request and these models (e.g. a size an export with fixed dimensions
            // cannot take): retrying cannot help, so it is the caller's to fix.
            throw new InvalidInputException($"The models rejected this request ({request.Width}x{request.Height}): {e.Message.Split('\n')[0]}", e);
        }
    }

    private GenerationResult Sample(GenerationRequest request, Action<GenerationProgress>? progress, CancellationToken cancellation)
    {
        var total = Stopwatch.StartNew();
        var scheduler = new DdimScheduler(_models.SchedulerConfig, request.Steps);
        bool guided = ClassifierFreeGuidance.IsEnabled(request.GuidanceScale);

        using var run = new RunOptions();
        using var stopOnCancel = cancellation.Register(() => run.Terminate = true);

        var encodeWatch = Stopwatch.StartNew();
        var promptTokens = _models.Tokenizer.Encode(request.Prompt);
        var negativeTokens = _models.Tokenizer.Encode(request.NegativePrompt);
        // CFG batch order is [unconditional, conditional], as diffusers concatenates them.
        var embeddings = guided
            ? EncodePrompts([negativeTokens, promptTokens], run)
            : EncodePrompts([promptTokens], run);
        encodeWatch.Stop();

        var images = new List<GeneratedImage>(request.Count);
        var steps = new List<StepTiming>(request.Steps * request.Count);
        double decodeMs = 0;
        int batches = (request.Count + MaxImagesPerBatch - 1) / MaxImagesPerBatch;
        for (int first = 0, batchIndex = 0; first < request.Count; first += MaxImagesPerBatch, batchIndex++)
        {
            int count = Math.Min(MaxImagesPerBatch, request.Count - first);
            var latents = Denoise(request, scheduler, embeddings, first, count, run, steps, cancellation,
                p => progress?.Invoke(p with { CompletedSteps = batchIndex * request.Steps + p.Step, TotalSteps = batches * request.Steps }));
            var decodeWatch = Stopwatch.StartNew();
            for (int j = 0; j < count; j++)
            {
                cancellation.ThrowIfCancellationRequested();
                var latent = latents.AsSpan(j * LatentLength(request), LatentLength(request));
                images.Add(new GeneratedImage(Decode(latent, request.Width, request.Height, run), request.Seed + first + j));
            }
            decodeMs += decodeWatch.Elapsed.TotalMilliseconds;
        }
        return new GenerationResult(images, promptTokens, negativeTokens,
            new GenerationTimings(encodeWatch.Elapsed.TotalMilliseconds, steps, decodeMs, total.Elapsed.TotalMilliseconds));
    }

    private static int LatentLength(GenerationRequest request) => 4 * (request.Height / 8) * (request.Width / 8);

    /// <summary>Text encoder on each prompt's 77 ids; returns one [77·D] embedding per prompt and D.</summary>
    private (float[][] PerPrompt, int Dimension) EncodePrompts(TokenizedPrompt[] prompts, RunOptions run)
    {
        var encoder = _models.TextEncoder;
        int length = prompts[0].InputIds.Length;
        var ids = new long[prompts.Length * length];
        for (int p = 0; p < prompts.Length; p++)
            for (int i = 0; i < length; i++) ids[p * length + i] = prompts[p].InputIds[i];
        using var input = ElementTypes.CreateTensor(encoder.InputType("input_ids"), ids, [prompts.Length, length]);
        using var outputs = encoder.Session.Run(run, ["input_ids"], [input], ["last_hidden_state"]);
        var shape = ElementTypes.Shape(outputs[0]);
        int dimension = (int)shape[^1];
        var all = new float[ElementTypes.ElementCount(outputs[0])];
        ElementTypes.Read(outputs[0], all);
        int per = length * dimension;
        var result = new float[prompts.Length][];
        for (int p = 0; p < prompts.Length; p++) result[p] = all.AsSpan(p * per, per).ToArray();
        return (result, dimension);
    }

    /// <summary>The DDIM loop for images first … first+count−1; returns their final latents x₀.</summary>
    private float[] Denoise(
        GenerationRequest request, DdimScheduler scheduler, (float[][] PerPrompt, int Dimension) embeddings,
        int first, int count, RunOptions run, List<StepTiming> timings, CancellationToken cancellation,
        Action<GenerationProgress> progress)
    {
        var unet = _models.Unet;
        int latentLength = LatentLength(request);
        int branches = embeddings.PerPrompt.Length; // 2 with CFG: [unconditional, conditional]
        int batch = branches * count;
        long[] latentShape = [batch, 4, request.Height / 8, request.Width / 8];

        var latents = new float[count * latentLength];
        var generators = new INormalSource[count];
        for (int j = 0; j < count; j++)
            generators[j] = LatentNoise.Fill(latents.AsSpan(j * latentLength, latentLength), request.Seed + first + j, request.Noise);

        var hiddenValues = new float[batch * embeddings.PerPrompt[0].Length];
        for (int b = 0; b < branches; b++)
            for (int j = 0; j < count; j++)
                embeddings.PerPrompt[b].CopyTo(hiddenValues, (b * count + j) * embeddings.PerPrompt[b].Length);

        using var sample = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, unet.InputType("sample"), latentShape);
        using var hidden = ElementTypes.CreateTensor(unet.InputType("encoder_hidden_states"), hiddenValues,
            [batch, embeddings.PerPrompt[0].Length / embeddings.Dimension, embeddings.Dimension]);
        using var timestep = new TimestepTensor(unet, batch);
        using var outSample = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, unet.OutputType("out_sample"), latentShape);
        using var residuals = new ControlResiduals(request.Controls, batch, branches == 2 ? count : 0, unet);

        var noisePrediction = new float[batch * latentLength];
        var guidedPrediction = branches == 2 ? new float[count * latentLength] : noisePrediction;
        var stepNoise = request.Eta > 0 ? new float[count * latentLength] : null;
        var unetInputs = new OrtValue[UnetInputNames.Length];
        unetInputs[0] = sample;
        unetInputs[1] = timestep.Value;
        unetInputs[2] = hidden;
        OrtValue[] unetOutputs = [outSample];

        var stepWatch = new Stopwatch();
        var inference = new Stopwatch();
        var timesteps = scheduler.Timesteps;
        for (int i = 0; i < timesteps.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            stepWatch.Restart();
            inference.Reset();
            int t = timesteps[i];

            // Both CFG branches denoise the same latents.
            for (int b = 0; b < branches; b++) ElementTypes.WriteAt(sample, latents, b * latents.Length);
            timestep.Set(t);

            var controlResiduals = residuals.Compute(i, timesteps.Count, sample, hidden, t, run, inference);
            controlResiduals.CopyTo(unetInputs, 3);
            inference.Start();
            unet.Session.Run(run, UnetInputNames, unetInputs, UnetOutputNames, unetOutputs);
            inference.Stop();
            ElementTypes.Read(outSample, noisePrediction);

            if (branches == 2)
            {
                int half = count * latentLength;
                ClassifierFreeGuidance.Combine(noisePrediction.AsSpan(0, half), noisePrediction.AsSpan(half, half),
                    (float)request.GuidanceScale, guidedPrediction);
            }
            if (stepNoise is not null)
                for (int j = 0; j < count; j++) generators[j].FillNormal(stepNoise.AsSpan(j * latentLength, latentLength));
            scheduler.Step(guidedPrediction, t, latents, (float)request.Eta, stepNoise);

            stepWatch.Stop();
            timings.Add(new StepTiming(stepWatch.Elapsed.TotalMilliseconds, inference.Elapsed.TotalMilliseconds));
            progress(new GenerationProgress(i + 1, timesteps.Count, 0, 0));
        }
        return latents;
    }

    private ByteImage Decode(ReadOnlySpan<float> latent, int width, int height, RunOptions run)
    {
        var vae = _models.VaeDecoder;
        var scaled = new float[latent.Length];
        TensorPrimitives.Divide(latent, VaeScalingFactor, scaled);
        using var input = ElementTypes.CreateTensor(vae.InputType("latent_sample"), scaled, [1, 4, height / 8, width / 8]);
        using var outputs = vae.Session.Run(run, ["latent_sample"], [input], ["sample"]);
        var shape = ElementTypes.Shape(outputs[0]);
        if (shape.Length != 4 || shape[1] != 3 || shape[2] != height || shape[3] != width)
            throw new InvalidInputException($"{vae.Path}: output 'sample' has shape [{string.Join(",", shape)}], expected [1,3,{height},{width}].");
        var pixels = new float[3 * width * height];
        ElementTypes.Read(outputs[0], pixels);
        return PipelineImages.FromVaeSample(pixels, width, height);
    }
}

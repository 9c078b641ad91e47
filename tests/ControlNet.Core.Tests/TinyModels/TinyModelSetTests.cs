using System.Text.Json;
using ControlNet.TinyModels;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Tests.TinyModels;

public sealed class TinyModelSetTests : IDisposable
{
    private const double Tolerance = 1e-4;
    private const double Float16Tolerance = 3e-3;
    private static readonly ChannelWidths Widths = ChannelWidths.Default;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tiny-models-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Write_creates_the_sd15_and_controlnet_export_layout()
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions());

        string[] expected =
        [
            "sd15/tokenizer/vocab.json", "sd15/tokenizer/merges.txt", "sd15/text_encoder/model.onnx", "sd15/unet/model.onnx",
            "sd15/vae_decoder/model.onnx", "sd15/scheduler/scheduler_config.json", "controlnet/canny/model.onnx", "README.txt",
        ];
        Assert.All(expected, file => Assert.True(File.Exists(Path.Combine(_root, file)), $"{file} is missing"));
        Assert.Equal(Path.Combine(_root, "sd15"), paths.Sd15Directory);
        Assert.Equal(Path.Combine(_root, "controlnet", "canny"), paths.ControlNetDirectory);
    }

    [Fact]
    public void Scheduler_config_holds_sd15_ddim_defaults()
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(paths.Sd15Directory, "scheduler", "scheduler_config.json")));
        var config = json.RootElement;
        Assert.Equal(1000, config.GetProperty("num_train_timesteps").GetInt32());
        Assert.Equal(0.00085, config.GetProperty("beta_start").GetDouble());
        Assert.Equal(0.012, config.GetProperty("beta_end").GetDouble());
        Assert.Equal("scaled_linear", config.GetProperty("beta_schedule").GetString());
        Assert.False(config.GetProperty("clip_sample").GetBoolean());
        Assert.False(config.GetProperty("set_alpha_to_one").GetBoolean());
        Assert.Equal(1, config.GetProperty("steps_offset").GetInt32());
        Assert.Equal("leading", config.GetProperty("timestep_spacing").GetString());
        Assert.Equal("epsilon", config.GetProperty("prediction_type").GetString());
    }

    [Fact]
    public void Readme_says_the_models_are_tiny_test_models()
    {
        TinyModelSet.Write(_root, new TinyModelOptions());

        var readme = File.ReadAllText(Path.Combine(_root, "README.txt"));
        Assert.Contains("TINY TEST MODELS", readme);
        Assert.Contains("noise-like", readme);
        Assert.Contains("models/controlnet/<name>/model.onnx", readme);
    }

    [Fact]
    public void Writing_twice_gives_identical_model_files()
    {
        var options = new TinyModelOptions { Kind = TinyModelKind.Bench };
        var first = TinyModelSet.Write(Path.Combine(_root, "a"), options);
        var second = TinyModelSet.Write(Path.Combine(_root, "b"), options);

        Assert.Equal(File.ReadAllBytes(Path.Combine(first.Sd15Directory, "unet", "model.onnx")),
            File.ReadAllBytes(Path.Combine(second.Sd15Directory, "unet", "model.onnx")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.ControlNetDirectory, "model.onnx")),
            File.ReadAllBytes(Path.Combine(second.ControlNetDirectory, "model.onnx")));
    }

    [Fact]
    public void Residual_shape_rule_matches_sd15()
    {
        long[][] expected =
        [
            [2, 16, 64, 48], [2, 16, 64, 48], [2, 16, 64, 48],
            [2, 16, 32, 24], [2, 32, 32, 24], [2, 32, 32, 24],
            [2, 32, 16, 12], [2, 64, 16, 12], [2, 64, 16, 12],
            [2, 64, 8, 6], [2, 64, 8, 6], [2, 64, 8, 6],
            [2, 64, 8, 6],
        ];
        Assert.Equal(expected, Enumerable.Range(0, Sd15Residuals.Count).Select(k => Sd15Residuals.Shape(k, 2, 64, 48, Widths)));
        Assert.Equal([1, 64, 2, 1], Sd15Residuals.Shape(Sd15Residuals.MidIndex, 1, 13, 7, Widths));
        Assert.Equal("down_block_11_additional_residual", Sd15Residuals.Names[11]);
        Assert.Equal("mid_block_additional_residual", Sd15Residuals.Names[12]);
    }

    [Theory]
    [InlineData(TinyInputIdsType.Int32, TensorElementType.Int32)]
    [InlineData(TinyInputIdsType.Int64, TensorElementType.Int64)]
    public void Text_encoder_declares_clip_inputs_and_outputs(TinyInputIdsType idsType, TensorElementType expectedType)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { InputIdsType = idsType, EmbeddingDim = 24 });
        using var model = new OrtTestSession(Path.Combine(paths.Sd15Directory, "text_encoder", "model.onnx"));

        var input = Assert.Single(model.Session.InputMetadata);
        Assert.Equal("input_ids", input.Key);
        Assert.Equal(expectedType, input.Value.ElementDataType);
        Assert.Equal([-1, 77], input.Value.Dimensions);
        Assert.Equal(["last_hidden_state", "pooler_output"], model.Session.OutputMetadata.Keys);
        Assert.Equal([-1, 77, 24], model.Session.OutputMetadata["last_hidden_state"].Dimensions);
        Assert.Equal([-1, 24], model.Session.OutputMetadata["pooler_output"].Dimensions);
    }

    [Theory]
    [InlineData(TinyInputIdsType.Int32)]
    [InlineData(TinyInputIdsType.Int64)]
    public void Text_encoder_output_follows_closed_form(TinyInputIdsType idsType)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { InputIdsType = idsType });
        using var model = new OrtTestSession(Path.Combine(paths.Sd15Directory, "text_encoder", "model.onnx"));
        var random = new Random(1);
        var ids = new TestTensor(Enumerable.Range(0, 2 * 77).Select(_ => (double)random.Next(0, 49408)).ToArray(), [2, 77]);

        var outputs = model.Run(new Dictionary<string, TestTensor> { ["input_ids"] = ids });

        AssertTextEncoderClosedForm(ids, outputs, 32, Tolerance);
    }

    [Fact]
    public void Unet_declares_sd15_inputs_and_outputs()
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions());
        using var model = new OrtTestSession(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));

        string[] expectedInputs = ["sample", "timestep", "encoder_hidden_states", .. Sd15Residuals.Names];
        Assert.Equal(expectedInputs, model.Session.InputMetadata.Keys);
        Assert.All(model.Session.InputMetadata.Values, meta => Assert.Equal(TensorElementType.Float, meta.ElementDataType));
        Assert.Equal([-1, 4, -1, -1], model.Session.InputMetadata["sample"].Dimensions);
        Assert.Equal(["batch", "", "height", "width"], model.Session.InputMetadata["sample"].SymbolicDimensions);
        Assert.Equal([-1], model.Session.InputMetadata["timestep"].Dimensions);
        Assert.Equal([-1, 77, 32], model.Session.InputMetadata["encoder_hidden_states"].Dimensions);
        Assert.Equal([-1, 32, -1, -1], model.Session.InputMetadata["down_block_4_additional_residual"].Dimensions);
        var output = Assert.Single(model.Session.OutputMetadata);
        Assert.Equal("out_sample", output.Key);
        Assert.Equal([-1, 4, -1, -1], output.Value.Dimensions);
    }

    [Theory]
    [InlineData(TinyTimestepType.Float32, 64, 48)]
    [InlineData(TinyTimestepType.Float16, 64, 48)]
    [InlineData(TinyTimestepType.Int64, 13, 7)]
    public void Unet_output_follows_closed_form(TinyTimestepType timestepType, int height, int width)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { TimestepType = timestepType });
        using var model = new OrtTestSession(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));
        var inputs = UnetInputs(new Random(2), height, width);

        var outputs = model.Run(inputs);

        AssertUnetClosedForm(inputs, outputs["out_sample"], Tolerance);
    }

    [Theory]
    [InlineData(TinyTimestepType.Float32, TensorElementType.Float)]
    [InlineData(TinyTimestepType.Float16, TensorElementType.Float16)]
    [InlineData(TinyTimestepType.Int64, TensorElementType.Int64)]
    public void Timestep_input_has_the_chosen_element_type(TinyTimestepType timestepType, TensorElementType expected)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { TimestepType = timestepType });
        using var unet = new OrtTestSession(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));
        using var controlNet = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));

        Assert.Equal(expected, unet.InputType("timestep"));
        Assert.Equal(expected, controlNet.InputType("timestep"));
    }

    [Fact]
    public void Controlnet_declares_sd15_controlnet_inputs_and_outputs()
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions());
        using var model = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));

        Assert.Equal(["sample", "timestep", "encoder_hidden_states", "controlnet_cond", "conditioning_scale"], model.Session.InputMetadata.Keys);
        Assert.Equal([-1, 3, -1, -1], model.Session.InputMetadata["controlnet_cond"].Dimensions);
        Assert.Equal(TensorElementType.Double, model.InputType("conditioning_scale"));
        Assert.Equal([1], model.Session.InputMetadata["conditioning_scale"].Dimensions);
        Assert.Equal(Sd15Residuals.Names, model.Session.OutputMetadata.Keys);
        Assert.Equal([-1, 64, -1, -1], model.Session.OutputMetadata["mid_block_additional_residual"].Dimensions);
    }

    [Theory]
    [InlineData(TinyConditioningScaleInput.None, null)]
    [InlineData(TinyConditioningScaleInput.Float64, TensorElementType.Double)]
    [InlineData(TinyConditioningScaleInput.Float32, TensorElementType.Float)]
    public void Controlnet_conditioning_scale_input_is_optional(TinyConditioningScaleInput scaleInput, TensorElementType? expected)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { ConditioningScaleInput = scaleInput });
        using var model = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));

        Assert.Equal(expected, model.Session.InputMetadata.TryGetValue("conditioning_scale", out var meta) ? meta.ElementDataType : null);
    }

    [Theory]
    [InlineData(TinyModelKind.Linear, 64, 48)]
    [InlineData(TinyModelKind.Linear, 13, 7)]
    [InlineData(TinyModelKind.Bench, 64, 48)]
    [InlineData(TinyModelKind.Bench, 13, 7)]
    public void Controlnet_residual_shapes_follow_sd15_rule(TinyModelKind kind, int height, int width)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { Kind = kind });
        using var model = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));

        var outputs = model.Run(ControlNetInputs(new Random(3), height, width, scale: 1.0));

        for (int k = 0; k < Sd15Residuals.Count; k++)
            Assert.Equal(Sd15Residuals.Shape(k, 2, height, width, Widths), outputs[Sd15Residuals.Name(k)].Shape);
    }

    [Theory]
    [InlineData(TinyConditioningScaleInput.Float64, 0.75)]
    [InlineData(TinyConditioningScaleInput.Float32, 1.5)]
    [InlineData(TinyConditioningScaleInput.None, null)]
    public void Controlnet_output_follows_closed_form(TinyConditioningScaleInput scaleInput, double? scale)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { ConditioningScaleInput = scaleInput });
        using var model = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));
        var inputs = ControlNetInputs(new Random(4), 9, 6, scale);

        var outputs = model.Run(inputs);

        AssertControlNetClosedForm(inputs, outputs, scale ?? 1.0, Tolerance);
    }

    [Fact]
    public void Vae_decoder_output_follows_closed_form()
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions());
        using var model = new OrtTestSession(Path.Combine(paths.Sd15Directory, "vae_decoder", "model.onnx"));
        var latent = TestTensor.Random(new Random(5), -3, 3, 2, 4, 5, 3);

        var outputs = model.Run(new Dictionary<string, TestTensor> { ["latent_sample"] = latent });

        Assert.Equal(["sample"], outputs.Keys);
        AssertVaeClosedForm(latent, outputs["sample"], Tolerance);
    }

    [Fact]
    public void Float16_models_take_and_return_float16_and_follow_closed_forms()
    {
        var options = new TinyModelOptions { FloatType = TinyFloatType.Float16, TimestepType = TinyTimestepType.Float16 };
        var paths = TinyModelSet.Write(_root, options);
        using var textEncoder = new OrtTestSession(Path.Combine(paths.Sd15Directory, "text_encoder", "model.onnx"));
        using var unet = new OrtTestSession(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));
        using var controlNet = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));
        using var vae = new OrtTestSession(Path.Combine(paths.Sd15Directory, "vae_decoder", "model.onnx"));

        foreach (var model in new[] { textEncoder, unet, controlNet, vae })
        {
            var floatPorts = model.Session.InputMetadata.Concat(model.Session.OutputMetadata)
                .Where(port => port.Key is not ("input_ids" or "conditioning_scale"));
            Assert.All(floatPorts, port => Assert.Equal(TensorElementType.Float16, port.Value.ElementDataType));
        }

        var ids = new TestTensor(Enumerable.Range(0, 77).Select(i => (double)(i * 37)).ToArray(), [1, 77]);
        AssertTextEncoderClosedForm(ids, textEncoder.Run(new Dictionary<string, TestTensor> { ["input_ids"] = ids }), 32, Float16Tolerance);

        var unetInputs = Rounded(UnetInputs(new Random(6), 16, 8), TensorElementType.Float16);
        AssertUnetClosedForm(unetInputs, unet.Run(unetInputs)["out_sample"], Float16Tolerance);

        var controlInputs = Rounded(ControlNetInputs(new Random(7), 16, 8, scale: 0.5), TensorElementType.Float16);
        AssertControlNetClosedForm(controlInputs, controlNet.Run(controlInputs), 0.5, Float16Tolerance);

        var latent = TestTensor.Random(new Random(8), -3, 3, 1, 4, 4, 4).As(TensorElementType.Float16);
        AssertVaeClosedForm(latent, vae.Run(new Dictionary<string, TestTensor> { ["latent_sample"] = latent })["sample"], Float16Tolerance);
    }

    [Fact]
    public void Unet_takes_the_controlnet_residuals_by_name()
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions());
        using var controlNet = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));
        using var unet = new OrtTestSession(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));
        var controlInputs = ControlNetInputs(new Random(9), 12, 10, scale: 0.8);

        var residuals = controlNet.Run(controlInputs);
        var unetInputs = new Dictionary<string, TestTensor>(residuals)
        {
            ["sample"] = controlInputs["sample"],
            ["timestep"] = controlInputs["timestep"],
            ["encoder_hidden_states"] = controlInputs["encoder_hidden_states"],
        };

        AssertUnetClosedForm(unetInputs, unet.Run(unetInputs)["out_sample"], Tolerance);
    }

    [Theory]
    [InlineData(TinyFloatType.Float32)]
    [InlineData(TinyFloatType.Float16)]
    public void Bench_models_keep_the_contract_and_stay_small(TinyFloatType floatType)
    {
        var paths = TinyModelSet.Write(_root, new TinyModelOptions { Kind = TinyModelKind.Bench, FloatType = floatType });
        using var controlNet = new OrtTestSession(Path.Combine(paths.ControlNetDirectory, "model.onnx"));
        using var unet = new OrtTestSession(Path.Combine(paths.Sd15Directory, "unet", "model.onnx"));
        var controlInputs = ControlNetInputs(new Random(10), 16, 12, scale: 1.0);

        var residuals = controlNet.Run(controlInputs);
        var unetInputs = new Dictionary<string, TestTensor>(residuals)
        {
            ["sample"] = controlInputs["sample"],
            ["timestep"] = controlInputs["timestep"],
            ["encoder_hidden_states"] = controlInputs["encoder_hidden_states"],
        };
        var output = unet.Run(unetInputs)["out_sample"];

        Assert.Equal([2, 4, 16, 12], output.Shape);
        Assert.All(output.Values, v => Assert.True(double.IsFinite(v) && Math.Abs(v) < 100, $"out_sample value {v} is not a plausible noise prediction"));
        Assert.Contains(output.Values, v => v != 0);
        foreach (var file in Directory.EnumerateFiles(_root, "*.onnx", SearchOption.AllDirectories))
            Assert.True(new FileInfo(file).Length < 10_000_000, $"{file} is {new FileInfo(file).Length} bytes");
    }

    private static Dictionary<string, TestTensor> UnetInputs(Random random, int height, int width)
    {
        var inputs = new Dictionary<string, TestTensor>
        {
            ["sample"] = TestTensor.Random(random, -2, 2, 2, 4, height, width),
            ["timestep"] = new TestTensor([999, 1], [2]),
            ["encoder_hidden_states"] = TestTensor.Random(random, -1, 1, 2, 77, 32),
        };
        for (int k = 0; k < Sd15Residuals.Count; k++)
            inputs[Sd15Residuals.Name(k)] = TestTensor.Random(random, -1, 1.5, Sd15Residuals.Shape(k, 2, height, width, Widths));
        return inputs;
    }

    private static Dictionary<string, TestTensor> ControlNetInputs(Random random, int height, int width, double? scale)
    {
        var inputs = new Dictionary<string, TestTensor>
        {
            ["sample"] = TestTensor.Random(random, -2, 2, 2, 4, height, width),
            ["timestep"] = new TestTensor([801, 801], [2]),
            ["encoder_hidden_states"] = TestTensor.Random(random, -1, 1, 2, 77, 32),
            ["controlnet_cond"] = TestTensor.Random(random, 0, 1, 2, 3, 8 * height, 8 * width),
        };
        if (scale is { } s) inputs["conditioning_scale"] = new TestTensor([s], [1]);
        return inputs;
    }

    private static Dictionary<string, TestTensor> Rounded(Dictionary<string, TestTensor> inputs, TensorElementType type) =>
        inputs.ToDictionary(kv => kv.Key, kv => kv.Key == "conditioning_scale" ? kv.Value : kv.Value.As(type));

    private static void AssertTextEncoderClosedForm(TestTensor ids, IReadOnlyDictionary<string, TestTensor> outputs, int dim, double tolerance)
    {
        int batch = (int)ids.Shape[0];
        var hidden = outputs["last_hidden_state"];
        var pooled = outputs["pooler_output"];
        Assert.Equal([batch, 77, dim], hidden.Shape);
        Assert.Equal([batch, dim], pooled.Shape);
        for (int b = 0; b < batch; b++)
        for (int d = 0; d < dim; d++)
        {
            double sum = 0;
            for (int t = 0; t < 77; t++)
            {
                double expected = TinyModelSet.EmbeddingValue((long)ids.Values[b * 77 + t], d);
                AssertClose(expected, hidden.Values[(b * 77 + t) * dim + d], tolerance, $"last_hidden_state[{b},{t},{d}]");
                sum += expected;
            }
            AssertClose(sum / 77, pooled.Values[b * dim + d], tolerance, $"pooler_output[{b},{d}]");
        }
    }

    private static void AssertUnetClosedForm(IReadOnlyDictionary<string, TestTensor> inputs, TestTensor actual, double tolerance)
    {
        var sample = inputs["sample"];
        Assert.Equal(sample.Shape, actual.Shape);
        int batch = (int)sample.Shape[0], perItem = sample.Values.Length / batch;
        for (int b = 0; b < batch; b++)
        {
            double offset = MeanOfItem(inputs["encoder_hidden_states"], b)
                + TinyModelSet.UnetTimestepGain * inputs["timestep"].Values[b];
            for (int k = 0; k < Sd15Residuals.Count; k++)
                offset += TinyModelSet.UnetResidualWeight(k) * MeanOfItem(inputs[Sd15Residuals.Name(k)], b);
            for (int i = b * perItem; i < (b + 1) * perItem; i++)
                AssertClose(TinyModelSet.UnetSampleGain * sample.Values[i] + offset, actual.Values[i], tolerance, $"out_sample[{i}]");
        }
    }

    private static void AssertControlNetClosedForm(IReadOnlyDictionary<string, TestTensor> inputs, IReadOnlyDictionary<string, TestTensor> outputs, double scale, double tolerance)
    {
        var cond = inputs["controlnet_cond"];
        for (int k = 0; k < Sd15Residuals.Count; k++)
        {
            var residual = outputs[Sd15Residuals.Name(k)];
            int batch = (int)residual.Shape[0], perItem = residual.Values.Length / batch;
            for (int b = 0; b < batch; b++)
            {
                double conditioning = MeanOfItem(inputs["encoder_hidden_states"], b) + TinyModelSet.UnetTimestepGain * inputs["timestep"].Values[b];
                double expected = scale * TinyModelSet.ControlNetResidualGain(k) * (MeanOfItem(cond, b)
                    + TinyModelSet.ControlNetConditioningGain * conditioning + TinyModelSet.ControlNetSampleGain * MeanOfItem(inputs["sample"], b));
                for (int i = b * perItem; i < (b + 1) * perItem; i++)
                    AssertClose(expected, residual.Values[i], tolerance, $"{Sd15Residuals.Name(k)}[{i}]");
            }
        }
    }

    private static void AssertVaeClosedForm(TestTensor latent, TestTensor actual, double tolerance)
    {
        long batch = latent.Shape[0], height = latent.Shape[2], width = latent.Shape[3];
        int f = TinyModelSet.VaeScaleFactor;
        Assert.Equal([batch, 3, f * height, f * width], actual.Shape);
        for (int b = 0; b < batch; b++)
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < f * height; y++)
        for (int x = 0; x < f * width; x++)
        {
            double expected = TinyModelSet.VaeDecoderGain * latent.Values[((b * 4 + c) * height + y / f) * width + x / f];
            AssertClose(expected, actual.Values[((b * 3 + c) * f * height + y) * f * width + x], tolerance, $"sample[{b},{c},{y},{x}]");
        }
    }

    private static double MeanOfItem(TestTensor tensor, int b)
    {
        int perItem = tensor.Values.Length / (int)tensor.Shape[0];
        return tensor.Values.AsSpan(b * perItem, perItem).ToArray().Average();
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        if (Math.Abs(expected - actual) > tolerance * Math.Max(1.0, Math.Abs(expected)))
            Assert.Fail($"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance} relative)");
    }
}

using ControlNet.Core.Randomness;

namespace ControlNet.Core.Tests.Randomness;

/// <summary>
/// The "cpu" and "nv" noise sources against values made by torch 1.13 and by A1111's rng_philox.py
/// (Fixtures/randomness/make_reference.py writes them; two lines of Python reproduce any of them).
/// </summary>
public class NoiseSourceTests
{
    private const float Tolerance = 1e-6f;

    [Fact]
    public void Mt19937_gives_the_value_the_cpp_standard_requires()
    {
        // [rand.predef]: the 10000th output of a default-constructed mt19937 (seed 5489) is 4123659995.
        var engine = new Mt19937(5489);
        uint value = 0;
        for (int i = 0; i < 10000; i++) value = engine.Next();
        Assert.Equal(4123659995u, value);
    }

    /// <summary>cpu: torch.randn with torch.Generator("cpu").manual_seed(seed); nv: A1111's Generator(seed).randn.</summary>
    [Theory]
    [InlineData(NoiseSource.Cpu, "cpu", 0, new[] { 1, 4, 64, 64 })]
    [InlineData(NoiseSource.Cpu, "cpu", 42, new[] { 1, 4, 32, 48 })]
    [InlineData(NoiseSource.Cpu, "cpu", 1234567890123, new[] { 1, 4, 96, 96 })]
    [InlineData(NoiseSource.Cpu, "cpu", 7, new[] { 3 })]
    [InlineData(NoiseSource.Cpu, "cpu", 7, new[] { 17 })]
    [InlineData(NoiseSource.Cpu, "cpu", 7, new[] { 2, 21 })]
    [InlineData(NoiseSource.Nv, "nv", 0, new[] { 1, 4, 64, 64 })]
    [InlineData(NoiseSource.Nv, "nv", 42, new[] { 1, 4, 32, 48 })]
    [InlineData(NoiseSource.Nv, "nv", 1234567890123, new[] { 1, 4, 96, 96 })]
    [InlineData(NoiseSource.Nv, "nv", 7, new[] { 3 })]
    [InlineData(NoiseSource.Nv, "nv", 7, new[] { 17 })]
    [InlineData(NoiseSource.Nv, "nv", 7, new[] { 2, 21 })]
    public void First_draw_matches_the_reference(NoiseSource source, string name, long seed, int[] shape)
    {
        AssertMatches(Reference(name, seed, shape), Draw(source, seed, shape, calls: 1), $"{name} seed {seed}");
    }

    [Theory]
    [InlineData(NoiseSource.Cpu, "cpu", 0, new[] { 1, 4, 64, 64 })]
    [InlineData(NoiseSource.Cpu, "cpu", 7, new[] { 2, 21 })]
    [InlineData(NoiseSource.Nv, "nv", 0, new[] { 1, 4, 64, 64 })]
    [InlineData(NoiseSource.Nv, "nv", 7, new[] { 2, 21 })]
    public void Second_draw_continues_the_generator_as_DDIM_eta_noise_does(NoiseSource source, string name, long seed, int[] shape)
    {
        AssertMatches(Reference(name, seed, shape, "_second"), Draw(source, seed, shape, calls: 2), $"{name} seed {seed}, second draw");
    }

    [Fact]
    public void Nv_source_gives_A1111s_documented_output()
    {
        // modules/rng_philox.py's docstring: Generator(seed=0).randn(shape=(3, 4)).
        float[] expected =
        [
            -0.92466259f, -0.42534415f, -2.6438457f, 0.14518388f,
            -0.12086647f, -0.57972564f, -0.62285122f, -0.32838709f,
            -1.07454231f, -0.36314407f, -1.67105067f, 2.26550497f,
        ];
        AssertMatches(expected, Draw(NoiseSource.Nv, 0, [3, 4], calls: 1), "A1111 docstring");
    }

    [Fact]
    public void Rng_names_parse_and_unknown_names_are_rejected()
    {
        Assert.Equal(NoiseSource.Cpu, NoiseSources.Parse("CPU"));
        Assert.Equal(NoiseSource.Nv, NoiseSources.Parse("nv"));
        Assert.Equal(NoiseSource.Portable, NoiseSources.Parse(" portable "));
        var error = Assert.Throws<InvalidInputException>(() => NoiseSources.Parse("gpu"));
        Assert.Contains("cpu, nv, portable", error.Message);
    }

    private static float[] Draw(NoiseSource source, long seed, int[] shape, int calls)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        var generator = NoiseSources.Create(source, seed);
        for (int i = 0; i < calls; i++) generator.FillNormal(values);
        return values;
    }

    private static float[] Reference(string source, long seed, int[] shape, string suffix = "")
    {
        var bytes = File.ReadAllBytes(TestImages.Fixture("randomness", $"{source}_{seed}_{string.Join("x", shape)}{suffix}.f32"));
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static void AssertMatches(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        float error = Math.Abs(expected[worst] - actual[worst]);
        Assert.True(error <= Tolerance, $"{what}: element {worst} is {actual[worst]:R}, expected {expected[worst]:R} (off by {error:E2}).");
    }
}

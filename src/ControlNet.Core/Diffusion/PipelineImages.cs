using ControlNet.Core.Imaging;
using ControlNet.Core.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ControlNet.Core.Diffusion;

/// <summary>Pixels in and out of the pipeline: control maps to tensors, VAE samples to images.</summary>
public static class PipelineImages
{
    /// <summary>controlnet_cond: [batch, 3, H, W], RGB in [0, 1] (a gray map is repeated on 3 channels).</summary>
    public static OrtValue ControlTensor(ByteImage map, int batch, TensorElementType type)
    {
        int plane = map.Width * map.Height;
        var one = new float[3 * plane];
        var pixels = map.Data;
        for (int i = 0; i < plane; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                byte value = map.Channels == 1 ? pixels[i] : pixels[i * 3 + c];
                one[c * plane + i] = value / 255f;
            }
        }
        var all = new float[batch * one.Length];
        for (int b = 0; b < batch; b++) one.CopyTo(all, b * one.Length);
        return ElementTypes.CreateTensor(type, all, [batch, 3, map.Height, map.Width]);
    }

    /// <summary>diffusers' postprocess: clamp(x/2 + 0.5, 0, 1)·255, rounded half to even (numpy).</summary>
    public static ByteImage FromVaeSample(ReadOnlySpan<float> sample, int width, int height)
    {
        int plane = width * height;
        if (sample.Length != 3 * plane) throw new ArgumentException($"VAE sample has {sample.Length} values, expected 3x{height}x{width}.");
        var image = new ByteImage(width, height, 3);
        var data = image.Data;
        for (int c = 0; c < 3; c++)
        {
            var channel = sample.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                float unit = Math.Clamp(channel[i] / 2f + 0.5f, 0f, 1f);
                data[i * 3 + c] = (byte)MathF.Round(unit * 255f, MidpointRounding.ToEven);
            }
        }
        return image;
    }
}

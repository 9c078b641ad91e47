using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ControlNet.Core.Scheduling;

namespace ControlNet.Workflow.Generation;

/// <summary>The models an image was made with, as the manifest records them.</summary>
public sealed record ModelsUsed(ModelIdentity StableDiffusion, IReadOnlyList<ModelIdentity> ControlNets, DdimSchedulerConfig Scheduler);

/// <summary>
/// Which model a folder holds, without hashing gigabytes: per file its size and a SHA-256 over the size, the
/// first MiB and the last MiB (weights differ in both; a re-export or a swapped file changes the fingerprint).
/// <see cref="IsTinyTestModel"/> flags the project's own tiny contract models, whose images are noise.
/// </summary>
public sealed record ModelIdentity(string Name, bool IsTinyTestModel, IReadOnlyList<ModelFileFingerprint> Files)
{
    // The ONNX producer name the tiny-model writer stamps into every file it writes (ModelProto field 2).
    private static readonly byte[] TinyProducer = Encoding.UTF8.GetBytes("ControlNet.TinyModels");
    private static readonly ConcurrentDictionary<string, ModelIdentity> Cache = new(StringComparer.Ordinal);

    /// <summary>Fingerprints a folder once per process (by path and the files' sizes and write times).</summary>
    public static ModelIdentity Of(string name, string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).Equals("README.txt", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(f => new FileInfo(f))
            .ToList();
        var key = folder + "|" + string.Join("|", files.Select(f => $"{f.FullName}:{f.Length}:{f.LastWriteTimeUtc.Ticks}"));
        return Cache.GetOrAdd(key, _ =>
        {
            bool tiny = false;
            var prints = files.Select(f =>
            {
                var (hash, head) = Fingerprint(f);
                tiny |= f.Extension == ".onnx" && head.AsSpan().IndexOf(TinyProducer) >= 0;
                return new ModelFileFingerprint(Path.GetRelativePath(folder, f.FullName).Replace('\\', '/'), f.Length, hash);
            }).ToList();
            return new ModelIdentity(name, tiny, prints);
        });
    }

    private static (string Hash, byte[] Head) Fingerprint(FileInfo file) => Core.Onnx.FileFingerprint.Of(file);
}

/// <param name="Path">Relative to the model folder, '/'-separated.</param>
/// <param name="Sha256">SHA-256 of the size (8 bytes, little-endian), the first MiB and the last MiB.</param>
public sealed record ModelFileFingerprint(string Path, long Size, string Sha256);

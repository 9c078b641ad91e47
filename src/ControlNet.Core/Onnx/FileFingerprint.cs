using System.Security.Cryptography;

namespace ControlNet.Core.Onnx;

/// <summary>
/// A model file's identity without reading gigabytes: SHA-256 of its size (8 bytes, little-endian), its first MiB
/// and its last MiB. Re-exported or replaced weights change it; the same file copied elsewhere keeps it.
/// </summary>
public static class FileFingerprint
{
    public const int Window = 1 << 20;

    /// <returns>The hex digest, and the first bytes read (up to a MiB) for callers that inspect the header.</returns>
    public static (string Sha256, byte[] Head) Of(FileInfo file)
    {
        using var stream = file.OpenRead();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(BitConverter.GetBytes(file.Length));
        var head = new byte[(int)Math.Min(Window, file.Length)];
        stream.ReadExactly(head);
        sha.AppendData(head);
        if (file.Length > Window)
        {
            var tail = new byte[(int)Math.Min(Window, file.Length - Window)];
            stream.Seek(-tail.Length, SeekOrigin.End);
            stream.ReadExactly(tail);
            sha.AppendData(tail);
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), head);
    }
}

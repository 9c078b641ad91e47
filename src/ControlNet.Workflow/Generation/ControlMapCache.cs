using ControlNet.Core.Imaging;

namespace ControlNet.Workflow.Generation;

/// <summary>
/// Decoded control maps by blob name and ETag, so the images of a job decode each map once per process rather
/// than once per image. Bounded (least recently used goes first): a long-running worker's memory stays flat.
/// A map is immutable once written, and the ETag pins the version, so an entry is never stale.
/// </summary>
public sealed class ControlMapCache(WorkflowOptions options)
{
    private readonly int _capacity = options.ControlMapCacheSize;
    private readonly LinkedList<(string Key, ByteImage Map)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, ByteImage Map)>> _byKey = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>How many maps were decoded (misses), for tests and diagnostics.</summary>
    public int Decodes { get; private set; }

    public async Task<ByteImage> GetAsync(string blob, string etag, Func<Task<ByteImage>> load)
    {
        var key = blob + "|" + etag;
        // One loader at a time: two images of a job asking together decode once, not twice.
        await _lock.WaitAsync();
        try
        {
            if (_byKey.TryGetValue(key, out var hit))
            {
                _order.Remove(hit);
                _order.AddFirst(hit);
                return hit.Value.Map;
            }
            var map = await load();
            Decodes++;
            _byKey[key] = _order.AddFirst((key, map));
            while (_order.Count > _capacity)
            {
                _byKey.Remove(_order.Last!.Value.Key);
                _order.RemoveLast();
            }
            return map;
        }
        finally
        {
            _lock.Release();
        }
    }
}

namespace ControlNet.Hosting;

/// <summary>
/// A set that remembers at most <c>capacity</c> keys, forgetting the oldest first: what a long-running poller
/// has already handled, in bounded memory. Forgetting is safe where a forgotten key is only re-checked at the
/// source (a blob whose job exists is recognised by its outputs), never redone.
/// </summary>
public sealed class RecentSet(int capacity)
{
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _keys.Count;

    public bool Contains(string key) => _keys.Contains(key);

    public void Add(string key)
    {
        if (!_keys.Add(key)) return;
        _order.Enqueue(key);
        while (_order.Count > capacity) _keys.Remove(_order.Dequeue());
    }
}

using System.Globalization;
using System.Text.Json;
using DaprVideo.Core;
using DaprVideo.Core.Events;
using DaprVideo.Core.Ports;

namespace DaprVideo.Embedded.Adapters;

/// <summary>
/// What a broker's unacknowledged message is for the embedded <c>serve</c>: every <see cref="ChunkCaptured"/> is written
/// to <c>&lt;data&gt;/.journal/chunks/</c> before it goes on the in-process bus and deleted once Inference has handled it
/// (or given up on it). A stop that cuts a chunk short, or a crash, leaves its entry; the next start publishes the
/// entries again (<see cref="ReplayAsync"/>), so every stored chunk gets its segment. Writes are atomic (temp + rename).
/// </summary>
public sealed class ChunkJournal
{
    public const string FolderName = ".journal";
    private readonly string _folder;

    public ChunkJournal(string dataDirectory)
    {
        _folder = Path.Combine(Path.GetFullPath(dataDirectory), FolderName, "chunks");
        Directory.CreateDirectory(_folder);
    }

    public string Folder => _folder;

    private string PathOf(ChunkCaptured chunk) =>
        Path.Combine(_folder, $"{chunk.StreamId}.{chunk.Sequence.ToString("D6", CultureInfo.InvariantCulture)}.json");

    public async Task RecordAsync(ChunkCaptured chunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var path = PathOf(chunk);
        var temp = Path.Combine(_folder, ".tmp-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(chunk, CoreJsonContext.Default.ChunkCaptured), cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    public void Complete(ChunkCaptured chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        File.Delete(PathOf(chunk));
    }

    /// <summary>Drops every entry of a stream (its data is being deleted).</summary>
    public void Forget(string streamId)
    {
        foreach (var file in Directory.EnumerateFiles(_folder, streamId + ".*.json"))
            File.Delete(file);
    }

    /// <summary>The entries left by an earlier run (an unreadable one is deleted: its chunk is re-read by nobody).</summary>
    public IReadOnlyList<ChunkCaptured> Pending()
    {
        var list = new List<ChunkCaptured>();
        foreach (var file in Directory.EnumerateFiles(_folder).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).StartsWith('.'))
            {
                File.Delete(file); // a temp file of a write cut short
                continue;
            }
            try
            {
                if (JsonSerializer.Deserialize(File.ReadAllBytes(file), CoreJsonContext.Default.ChunkCaptured) is { } chunk) list.Add(chunk);
            }
            catch (JsonException)
            {
                File.Delete(file);
            }
        }
        return list;
    }

    /// <summary>Publishes every entry left by an earlier run on <paramref name="bus"/> (not journalled again: the entries stay).</summary>
    public async Task<int> ReplayAsync(IEventPublisher bus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var pending = Pending();
        foreach (var chunk in pending)
            await bus.PublishAsync(Topics.Chunks, chunk, cancellationToken);
        return pending.Count;
    }

    /// <summary>The publisher Ingest uses: chunks are journalled before they are published; other events pass through.</summary>
    public IEventPublisher Journalled(IEventPublisher bus) => new JournalledPublisher(this, bus);

    private sealed class JournalledPublisher(ChunkJournal journal, IEventPublisher bus) : IEventPublisher
    {
        public async Task PublishAsync<TEvent>(string topic, TEvent message, CancellationToken cancellationToken = default)
            where TEvent : class
        {
            if (message is ChunkCaptured chunk && topic == Topics.Chunks) await journal.RecordAsync(chunk, cancellationToken);
            await bus.PublishAsync(topic, message, cancellationToken);
        }
    }
}

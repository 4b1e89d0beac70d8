using System.Text.Json;
using DaprVideo.Core.Ports;
using DaprVideo.Core.Streams;

namespace DaprVideo.Embedded.Adapters;

/// <summary>
/// The embedded <see cref="ICredentialStore"/>: one JSON file, <c>{"streams": {"cam1": {"source": "rtsp://user:pass@..."}}}</c>,
/// at <c>&lt;data&gt;/.secrets/credentials.json</c> (<see cref="PathIn"/>): outside every stream's folder (a stream id cannot
/// start with '.'), so nothing served reaches it. The folder is created 0700 and the file 0600 from the start: each write
/// goes to a new temporary file created with mode 0600 (never chmod after writing) and is renamed over the old one, so
/// the file is never readable by others and never torn.
/// </summary>
public sealed class FileCredentialStore : ICredentialStore, IDisposable
{
    public const string FolderName = ".secrets";
    public const string FileName = "credentials.json";

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode_ = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public FileCredentialStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = Path.GetFullPath(path);
    }

    /// <summary>The credentials file of a data folder.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FolderName, FileName);

    public string FilePath { get; }

    /// <summary>Test hook: runs with the temporary file's path once it is written, before it is renamed into place.</summary>
    internal Func<string, Task>? BeforeRename { get; set; }

    public async Task SaveAsync(StreamId id, string location, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entries = await ReadAsync(cancellationToken);
            entries[id.Value] = new Entry(location);
            await WriteAsync(entries, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string?> GetAsync(StreamId id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return (await ReadAsync(cancellationToken)).TryGetValue(id.Value, out var entry) ? entry.Source : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteAsync(StreamId id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entries = await ReadAsync(cancellationToken);
            if (entries.Remove(id.Value)) await WriteAsync(entries, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Dictionary<string, Entry>> ReadAsync(CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(FilePath, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Dictionary<string, Entry>(StringComparer.Ordinal);
        }
        try
        {
            var file = JsonSerializer.Deserialize(bytes, CredentialsJsonContext.Default.CredentialsFile);
            return new Dictionary<string, Entry>(file?.Streams ?? [], StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            // Never echo the content: it holds secrets.
            throw new InvalidDataException($"{FilePath} is not a valid credentials file (line {e.LineNumber + 1}).", e);
        }
    }

    private async Task WriteAsync(Dictionary<string, Entry> entries, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else
        {
            Directory.CreateDirectory(folder, FolderMode);
            // A folder made by hand (or restored from a backup) may be wider: only the service may list it.
            if ((File.GetUnixFileMode(folder) & ~FolderMode) != 0) File.SetUnixFileMode(folder, FolderMode);
        }
        var temp = Path.Combine(folder, ".tmp-" + Guid.NewGuid().ToString("N"));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode_;
        try
        {
            await using (var stream = new FileStream(temp, options))
            {
                await JsonSerializer.SerializeAsync(stream, new CredentialsFile(entries), CredentialsJsonContext.Default.CredentialsFile, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            if (BeforeRename is { } hook) await hook(temp);
            File.Move(temp, FilePath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public void Dispose() => _gate.Dispose();

    internal sealed record CredentialsFile(Dictionary<string, Entry> Streams);

    internal sealed record Entry(string Source);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(FileCredentialStore.CredentialsFile))]
internal sealed partial class CredentialsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

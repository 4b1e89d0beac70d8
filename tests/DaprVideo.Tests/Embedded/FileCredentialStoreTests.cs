using DaprVideo.Core.Streams;
using DaprVideo.Embedded.Adapters;

namespace DaprVideo.Tests.Embedded;

/// <summary>The embedded credentials file: only the service can read it, at every moment, and a stream's entry goes with the stream.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileCredentialStoreTests
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task The_file_is_0600_from_its_creation_in_a_0700_folder_outside_every_stream()
    {
        using var tmp = new TempDirectory();
        var path = FileCredentialStore.PathIn(tmp.Path);
        Assert.Equal(Path.Combine(tmp.Path, ".secrets", "credentials.json"), path);
        Assert.False(StreamId.TryParse(".secrets", out _)); // no stream folder can be this one
        using var store = new FileCredentialStore(path);
        var modesBeforeRename = new List<UnixFileMode>();
        store.BeforeRename = temp =>
        {
            // The bytes are written and the file not yet in place: a chmod-after-write would still show 0644 here.
            modesBeforeRename.Add(File.GetUnixFileMode(temp));
            return Task.CompletedTask;
        };

        await store.SaveAsync(StreamId.Parse("cam1"), "rtsp://u:pw1@cam1.test/s");
        await store.SaveAsync(StreamId.Parse("cam2"), "rtsp://u:pw2@cam2.test/s");

        Assert.Equal([Owner, Owner], modesBeforeRename);
        Assert.Equal(Owner, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal("rtsp://u:pw1@cam1.test/s", await store.GetAsync(StreamId.Parse("cam1")));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temp file left behind
    }

    [Fact]
    public async Task Deleting_an_entry_keeps_the_others_and_survives_a_new_instance()
    {
        using var tmp = new TempDirectory();
        var path = FileCredentialStore.PathIn(tmp.Path);
        using (var store = new FileCredentialStore(path))
        {
            await store.SaveAsync(StreamId.Parse("a"), "rtsp://u:1@a.test/s");
            await store.SaveAsync(StreamId.Parse("b"), "rtsp://u:2@b.test/s");
            await store.DeleteAsync(StreamId.Parse("a"));
            await store.DeleteAsync(StreamId.Parse("never-there"));
        }
        using var again = new FileCredentialStore(path);
        Assert.Null(await again.GetAsync(StreamId.Parse("a")));
        Assert.Equal("rtsp://u:2@b.test/s", await again.GetAsync(StreamId.Parse("b")));
        Assert.DoesNotContain("u:1@", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wider_folder_is_narrowed_and_a_broken_file_is_reported_without_its_content()
    {
        using var tmp = new TempDirectory();
        var folder = Directory.CreateDirectory(Path.Combine(tmp.Path, ".secrets")).FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101); // 0755
        using var store = new FileCredentialStore(FileCredentialStore.PathIn(tmp.Path));
        await store.SaveAsync(StreamId.Parse("a"), "rtsp://u:1@a.test/s");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));

        await File.WriteAllTextAsync(store.FilePath, "{\"streams\": {\"a\": {\"source\": \"rtsp://u:leaked@a.test/s\"");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync(StreamId.Parse("a")));
        Assert.DoesNotContain("leaked", e.Message, StringComparison.Ordinal);
    }
}

using System.Text;
using DaprVideo.Embedded.Adapters;

namespace DaprVideo.Tests.Embedded;

public class FileObjectStoreTests
{
    [Fact]
    public async Task Put_get_overwrite_list_and_delete()
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);

        await store.PutAsync("streams/a/segments/000001.ts", Encoding.UTF8.GetBytes("one"));
        await store.PutAsync("streams/a/segments/000000.ts", Encoding.UTF8.GetBytes("zero"));
        await store.PutAsync("streams/b/stream.json", Encoding.UTF8.GetBytes("{}"));
        await store.PutAsync("streams/a/segments/000001.ts", Encoding.UTF8.GetBytes("uno"));

        Assert.Equal("uno", Encoding.UTF8.GetString((await store.GetAsync("streams/a/segments/000001.ts"))!));
        Assert.Equal(["streams/a/segments/000000.ts", "streams/a/segments/000001.ts"], await store.ListAsync("streams/a/segments/"));
        Assert.Equal(3, (await store.ListAsync("streams/")).Count);
        Assert.Empty(await store.ListAsync("streams/zzz/"));

        await store.DeleteAsync("streams/a/segments/000000.ts");
        Assert.Null(await store.GetAsync("streams/a/segments/000000.ts"));
        Assert.Empty(Directory.GetFiles(tmp.Path, ".tmp-*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("streams/../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("streams/A/x")]
    [InlineData("streams//x")]
    [InlineData("streams/a/.tmp-123")]
    [InlineData("")]
    public async Task Keys_that_could_leave_the_root_are_refused(string key)
    {
        using var tmp = new TempDirectory();
        var store = new FileObjectStore(tmp.Path);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key));
    }
}

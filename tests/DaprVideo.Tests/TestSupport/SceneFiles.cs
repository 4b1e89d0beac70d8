namespace DaprVideo.Tests.TestSupport;

/// <summary>Renders scenes into one temp folder per test process, removed at exit.</summary>
public static class SceneFiles
{
    private static readonly string Folder = CreateFolder();

    public static async Task<string> RenderAsync(MovingPhotoScene scene)
    {
        var path = Path.Combine(Folder, scene.Name + ".mp4");
        await scene.RenderAsync(Path.Combine(RepoPaths.Root, "assets", "photos"), path);
        return path;
    }

    private static string CreateFolder()
    {
        var dir = Directory.CreateTempSubdirectory("daprvideo-scenes-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { /* best effort */ }
        };
        return dir;
    }
}

namespace DaprVideo.DaprAdapters;

/// <summary>Content types stored with each object, so the bucket can serve HLS directly if ever exposed.</summary>
public static class ObjectContentTypes
{
    public static string ForKey(string key) => Path.GetExtension(key).ToLowerInvariant() switch
    {
        ".ts" => "video/mp2t",
        ".m3u8" => "application/vnd.apple.mpegurl",
        ".json" => "application/json",
        ".jsonl" => "application/jsonl",
        _ => "application/octet-stream",
    };
}

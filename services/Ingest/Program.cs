using DaprVideo.DaprAdapters;
using DaprVideo.Ingest;

// Ingest (Dapr app id "ingest"): the stream control API and capture loops; chunks go to the object store
// binding, ChunkCaptured to topic "chunks", StreamEnded to topic "streams". It subscribes to nothing.
return await DistributedHost.RunAsync(args, IngestModule.DefaultPort, IngestApp.AddServices, IngestApp.MapEndpoints);

/**
 * kustomize's `images`: the image references of every container replaced by name (a new name,
 * tag or digest), from the kustomization's own entries and from the render's `--image` options.
 */
import { Effect } from "effect"
import {
  containersOf,
  type JsonValue,
  objectList,
  onlyKeys,
  podSpecsOf,
  type RenderError,
  type RenderItem,
  stringField
} from "./KubeObjects.ts"

/** An `images` entry: the containers whose image is `name` get `newName`, `newTag` or `digest`. */
export interface ImageOverride {
  readonly name: string
  readonly newName?: string | undefined
  readonly newTag?: string | undefined
  readonly digest?: string | undefined
}

/** `name[:tag][@digest]` (a registry port is part of the name). */
export const parseImage = (image: string): { name: string; tag?: string; digest?: string } => {
  const at = image.indexOf("@")
  const withoutDigest = at >= 0 ? image.slice(0, at) : image
  const digest = at >= 0 ? image.slice(at + 1) : undefined
  const slash = withoutDigest.lastIndexOf("/")
  const colon = withoutDigest.lastIndexOf(":")
  const hasTag = colon > slash
  return {
    name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest,
    ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}),
    ...(digest === undefined ? {} : { digest })
  }
}

/** A kustomization's `images` field. */
export const imageEntries = (value: JsonValue | undefined): Effect.Effect<ReadonlyArray<ImageOverride>, RenderError> =>
  Effect.flatMap(objectList(value, "images"), (entries) =>
    Effect.forEach(entries, (entry) =>
      Effect.gen(function*() {
        yield* onlyKeys(entry, ["name", "newName", "newTag", "digest"], "images[]")
        const optional = (key: string) => (entry[key] === undefined ? undefined : String(entry[key]))
        return {
          name: yield* stringField(entry["name"], "images[].name"),
          newName: optional("newName"),
          newTag: optional("newTag"),
          digest: optional("digest")
        }
      })))

/** Sets the image of every container of `items` that an entry of `images` names (in place). */
export const applyImages = (items: ReadonlyArray<RenderItem>, images: ReadonlyArray<ImageOverride>): void => {
  for (const { object } of items) {
    for (const podSpec of podSpecsOf(object)) {
      for (const container of containersOf(podSpec)) {
        if (typeof container["image"] !== "string") continue
        const current = parseImage(container["image"])
        for (const image of images) {
          if (image.name !== current.name) continue
          const name = image.newName ?? current.name
          if (image.digest !== undefined) container["image"] = `${name}@${image.digest}`
          else if (image.newTag !== undefined) container["image"] = `${name}:${image.newTag}`
          else container["image"] = `${name}${current.tag === undefined ? "" : `:${current.tag}`}${current.digest === undefined ? "" : `@${current.digest}`}`
        }
      }
    }
  }
}

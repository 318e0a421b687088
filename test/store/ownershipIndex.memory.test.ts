import { MemoryOwnershipIndex } from "../../shared/store/ownershipIndex.js";
import { ownershipIndexContract } from "./ownershipIndexContract.js";

ownershipIndexContract("MemoryOwnershipIndex", () => new MemoryOwnershipIndex());
